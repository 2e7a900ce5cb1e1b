//! Criterion benchmarks (filled in by the performance work).

fn main() {}
