//! Companion commands of `wasales`: the customer simulator and the ingest benchmark.

pub mod bench_ingest;
pub mod simulate;
