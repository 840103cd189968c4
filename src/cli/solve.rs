//! `rebook solve PLAN [--out SOLVED] [--backend default|highs] [--time-limit S]`
//! and `rebook advise PLAN`: the optimiser and capacity advice from the command line.

use crate::io::{plan_file, plan_service};
use crate::model::Plan;
use crate::scheduler::{self, Backend, SolveOptions, SolveResult};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// Where to write the solved plan (default: overwrite PLAN, keeping a backup).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// LP solver: default (pure Rust) or highs (needs the `highs` build feature).
    #[arg(long, default_value = "default")]
    pub backend: Backend,
    /// Stop after this many seconds and keep the best plan found so far.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Write the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
    /// Replace the plan already at --out (its outcomes and history are lost).
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, clap::Args)]
pub struct AdviseArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// How many extra sessions to suggest at most.
    #[arg(long, default_value_t = 5)]
    pub max: usize,
    #[arg(long, default_value = "default")]
    pub backend: Backend,
}

/// The longest `--time-limit`: a day (the solver never needs more than minutes).
const MAX_TIME_LIMIT_SECS: f64 = 24.0 * 60.0 * 60.0;

fn options(backend: Backend, time_limit: Option<f64>) -> anyhow::Result<SolveOptions> {
    let time_limit = match time_limit {
        Some(s) if s.is_finite() && s > 0.0 && s <= MAX_TIME_LIMIT_SECS => Duration::try_from_secs_f64(s).ok(),
        Some(s) => anyhow::bail!(
            "--time-limit must be a number of seconds above 0 and at most {MAX_TIME_LIMIT_SECS} (a day), not {s}"
        ),
        None => None,
    };
    Ok(SolveOptions { backend, time_limit })
}

pub fn run_solve(args: &SolveArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.as_ref().unwrap_or(&args.plan);
    let in_place = super::shared::same_file(out, &args.plan);
    let options = options(args.backend, args.time_limit)?;
    let passphrase = super::check::passphrase(None)?;
    // In place, the lock is taken before solving so that colleagues see the
    // plan is busy; their saves meanwhile are merged in.
    let mut changing = match in_place {
        true => Some(super::shared::open_plan(&args.plan, passphrase.clone(), args.force)?),
        false => {
            plan_service::check_replace(out, args.overwrite)?;
            None
        }
    };
    let (base, encrypted) = match &changing {
        Some(changing) => (changing.base.clone(), false),
        None => plan_service::load(&args.plan, passphrase.as_ref())?,
    };
    let mut plan = base.clone();
    let result = scheduler::solve_and_explain(&plan, &options, &mut |_| {}, &AtomicBool::new(false))?;
    print_summary(&plan, &result);
    scheduler::apply_solution(&mut plan, result);
    println!();
    print!("{}", crate::report::compare(&plan));
    match &mut changing {
        Some(changing) => {
            super::shared::save_back(changing, &plan, args.force)?;
        }
        None => {
            let insist = super::shared::insist(args.force);
            let protection = passphrase.as_ref().filter(|_| encrypted);
            let took_over = plan_service::write_new(out, &plan, protection, insist)
                .map_err(|e| super::shared::explain(e, args.force))?;
            if let Some(info) = took_over {
                super::shared::note_takeover(out, &info, args.force);
            }
        }
    }
    println!("Solved plan written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// What the solve did for patients, then the solver's own figures.
fn print_summary(plan: &Plan, result: &SolveResult) {
    let placed = result.bookings.iter().filter(|b| b.session().is_some()).count();
    println!("Placed {placed} of {} appointments.", plan.backlog.len());
    let moves = crate::rules::cost::moves(&plan.bookings, &result.bookings);
    if plan.bookings.iter().any(|b| b.session().is_some()) {
        println!("Bookings moved by this re-plan: {} ({} of them already told)", moves.moved, moves.told);
    }
    let info = &result.info;
    let s = &result.stats;
    println!(
        "Details: objective {:.1}, lower bound {:.1}, gap {:.2} %{}; solver {}: {} parts, {} variables, {} constraints; model {:.0} ms, solve {:.0} ms",
        info.objective,
        info.bound,
        info.gap * 100.0,
        if info.stopped_early { " (stopped early: time limit)" } else { "" },
        info.backend,
        s.components,
        s.variables,
        s.constraints,
        s.build_ms,
        s.solve_ms
    );
}

pub fn run_advise(args: &AdviseArgs) -> anyhow::Result<ExitCode> {
    let plan = plan_file::load(&args.plan)?;
    let options = options(args.backend, None)?;
    let advice = scheduler::advise(&plan, &options, args.max)?;
    if advice.is_empty() {
        println!("No extra session would reduce lateness or unplaced work.");
    }
    for (n, a) in advice.iter().enumerate() {
        println!("{}. {}", n + 1, crate::scheduler::explain::capitalise(&a.summary));
    }
    Ok(ExitCode::SUCCESS)
}
