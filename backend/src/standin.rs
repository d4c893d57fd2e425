//! Local stand-ins for the services we call, speaking their HTTP and JSON: tests,
//! benchmarks and demos point the real clients at them (DESIGN.md section 8).

pub mod anthropic;
