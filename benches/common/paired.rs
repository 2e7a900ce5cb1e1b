// Paired timing, shared by `benches/jwt.rs`, `benches/jwe.rs` and `benches/compare` (each
// `include!`s this file).
//
// Criterion times one routine, then the other; on a shared machine, load that comes and goes
// moves those medians by 10-30%, and can fall on either side. This alternates the two in short
// blocks (which goes first alternates too), so a change in load falls on both sides of a round
// alike, and reports the median of the per-round ratios.

/// Rounds of the paired runner; each times both routines for about `PAIRED_BLOCK` each.
const PAIRED_ROUNDS: usize = 101;
const PAIRED_BLOCK: std::time::Duration = std::time::Duration::from_millis(1);

/// Medians of a paired run: seconds per call of each routine, and `first / second` per round
/// with its quartiles.
struct Paired {
    first: f64,
    second: f64,
    ratio: f64,
    ratio_q1: f64,
    ratio_q3: f64,
}

/// Times `first` and `second` interleaved, [`PAIRED_ROUNDS`] blocks each.
fn paired(first: &mut dyn FnMut(), second: &mut dyn FnMut()) -> Paired {
    use std::time::{Duration, Instant};
    fn time(f: &mut dyn FnMut(), iterations: u32) -> f64 {
        let start = Instant::now();
        for _ in 0..iterations {
            f();
        }
        start.elapsed().as_secs_f64() / f64::from(iterations)
    }
    // Warm up, and size the blocks from the faster routine's best single call.
    let warm_up = Instant::now();
    let mut estimate = Duration::MAX;
    while warm_up.elapsed() < PAIRED_BLOCK * 50 {
        let start = Instant::now();
        first();
        let middle = Instant::now();
        second();
        estimate = estimate.min(middle - start).min(middle.elapsed());
    }
    let blocks = PAIRED_BLOCK.as_nanos() / estimate.as_nanos().max(1);
    let iterations = u32::try_from(blocks).unwrap_or(u32::MAX).max(1);
    let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..PAIRED_ROUNDS {
        let (x, y) = if round % 2 == 0 {
            let x = time(first, iterations);
            (x, time(second, iterations))
        } else {
            let y = time(second, iterations);
            (time(first, iterations), y)
        };
        a.push(x);
        b.push(y);
        ratios.push(x / y);
    }
    let quantile = |v: &mut Vec<f64>, percent: usize| {
        v.sort_by(f64::total_cmp);
        v[(v.len() - 1) * percent / 100]
    };
    Paired {
        first: quantile(&mut a, 50),
        second: quantile(&mut b, 50),
        ratio: quantile(&mut ratios, 50),
        ratio_q1: quantile(&mut ratios, 25),
        ratio_q3: quantile(&mut ratios, 75),
    }
}

/// Seconds as microseconds, for the printed tables.
fn micros(seconds: f64) -> String {
    format!("{:.3} µs", seconds * 1e6)
}
