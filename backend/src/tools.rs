//! Companion commands of `wasales`: the customer simulator and the ingest and agent
//! benchmarks.

pub mod bench_agent;
pub mod bench_ingest;
pub mod simulate;
