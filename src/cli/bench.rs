//! `rebook bench [--shape standard|hub] [--sizes 300,1000,3000,10000] [--backend default|highs]`:
//! solves the generator's benchmark plans of each size, each in its own child process so the
//! peak memory figure (VmHWM) belongs to that size alone, and prints a table.

use crate::generate::{Shape, generate, shaped_config};
use crate::report::report_for;
use crate::rules::cost::objective;
use crate::scheduler::{self, Backend, SolveOptions, baseline};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Spread of patient restrictions: standard or hub (see `rebook generate --help`).
    #[arg(long, default_value = "standard")]
    pub shape: Shape,
    /// Backlog sizes to solve, comma-separated [default: 300,1000,3000,10000;
    /// for the hub shape 1000,3000,10000,30000].
    #[arg(long, value_delimiter = ',')]
    pub sizes: Vec<usize>,
    /// LP solver: default (pure Rust) or highs (needs the `highs` feature).
    #[arg(long, default_value = "default")]
    pub backend: Backend,
    /// Seed of the synthetic plans.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run one size in this process and print its row (used by the parent run).
    #[arg(long, hide = true)]
    pub child: bool,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let sizes = if !args.sizes.is_empty() {
        args.sizes.clone()
    } else if args.shape == Shape::Hub {
        vec![1000, 3000, 10_000, 30_000]
    } else {
        vec![300, 1000, 3000, 10_000]
    };
    if args.child {
        for &size in &sizes {
            println!("{}", measure(size, args.seed, args.shape, args.backend)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "backend: {}  shape: {}  (each size in its own process; times in ms)",
        args.backend.name(),
        args.shape.name()
    );
    println!(
        "{:>6} {:>6} {:>8} {:>8} {:>8} {:>7} {:>11} {:>11} {:>6} {:>11} {:>11} {:>5} {:>5} {:>5}",
        "items",
        "parts",
        "build",
        "solve",
        "total",
        "peak MB",
        "objective",
        "bound",
        "gap %",
        "FIFO obj",
        "greedy obj",
        "urg%",
        "FIFO",
        "grdy"
    );
    println!("(urg% = urgent placed within target by Rebook, then by FIFO and priority-greedy)");
    let exe = std::env::current_exe()?;
    for &size in &sizes {
        let output = std::process::Command::new(&exe)
            .args(["bench", "--child", "--sizes", &size.to_string(), "--seed", &args.seed.to_string()])
            .args(["--shape", args.shape.name()])
            .args(["--backend", if args.backend == Backend::Highs { "highs" } else { "default" }])
            .output()?;
        if !output.status.success() {
            anyhow::bail!("size {size} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    Ok(ExitCode::SUCCESS)
}

/// Solves one generated plan and formats its row of the table.
fn measure(size: usize, seed: u64, shape: Shape, backend: Backend) -> anyhow::Result<String> {
    let plan = generate(&shaped_config(size, seed, shape));
    let started = Instant::now();
    let options = SolveOptions { backend, time_limit: None };
    let result = scheduler::solve_and_explain(&plan, &options, &mut |_| {}, &AtomicBool::new(false))?;
    let total_ms = started.elapsed().as_secs_f64() * 1e3;
    let urgent = |bookings: &[crate::model::Booking]| {
        report_for(&plan, bookings).priorities.first().map_or(f64::NAN, |p| p.within_target)
    };
    let fifo = baseline::fifo(&plan);
    let greedy = baseline::priority_greedy(&plan);
    Ok(format!(
        "{:>6} {:>6} {:>8.0} {:>8.0} {:>8.0} {:>7.1} {:>11.1} {:>11.1} {:>6.3} {:>11.1} {:>11.1} {:>5.1} {:>5.1} {:>5.1}",
        size,
        result.stats.components,
        result.stats.build_ms,
        result.stats.solve_ms,
        total_ms,
        peak_memory_mb().unwrap_or(f64::NAN),
        result.info.objective,
        result.info.bound,
        result.info.gap * 100.0,
        objective(&plan, &fifo, &plan.bookings),
        objective(&plan, &greedy, &plan.bookings),
        urgent(&result.bookings),
        urgent(&fifo),
        urgent(&greedy),
    ))
}

/// Peak resident memory of this process (Linux), in MB.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
