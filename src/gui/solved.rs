//! A finished solve made ready on the worker thread: the plan with the result
//! applied and everything the window derives from it (the problem list and
//! figures, the summary, a re-plan's preview, the undo snapshots). At 10,000
//! items each of those costs tens to hundreds of milliseconds, so the frame
//! that takes the result only swaps them in.

use crate::model::Plan;
use crate::model::summary::PlanSummary;
use crate::report::{self, Problem, ReplanPreview, Report, replan_preview};
use crate::scheduler::{SolveResult, apply_solution};
use std::collections::HashMap;

/// The plan's report with its problems by appointment id (what the Plan screen shows).
#[derive(Debug, Clone, PartialEq)]
pub struct Problems {
    pub by_id: HashMap<String, Problem>,
    pub report: Report,
}

impl Problems {
    pub fn of(plan: &Plan) -> Problems {
        let report = report::report(plan);
        Problems { by_id: report.problems.iter().map(|p| (p.appointment_id.clone(), p.clone())).collect(), report }
    }
}

/// What the frame that applied a solved plan hands on: the summary (for the
/// summary panel) and a copy for the autosave, both made on the worker, and
/// what the plan replaced, to be dropped off the window's thread too.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The document's revision with the plan applied.
    pub revision: u64,
    pub summary: PlanSummary,
    pub autosave_copy: Plan,
    pub leftovers: Leftovers,
}

/// Big values the applying frame let go of (the old plan, the undo states,
/// the old problem list): dropping 10,000 items costs milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Leftovers(pub Vec<Plan>, pub Option<Problems>);

/// A solved plan, ready to apply.
pub struct ReadyPlan {
    pub after: Plan,
    /// The plan before and after, without their trails, for the undo stack.
    pub undo_before: Plan,
    pub undo_after: Plan,
    /// The two undo states differ.
    pub differ: bool,
    /// "plan the backlog" or "re-plan", for Undo.
    pub label: &'static str,
    /// What a re-plan would change; none for a first plan (nothing was placed
    /// and no session is added), which is applied without a preview.
    pub preview: Option<ReplanPreview>,
    pub problems: Problems,
    pub summary: PlanSummary,
    /// A copy of `after` for the autosave that follows every solve.
    pub autosave_copy: Plan,
}

impl ReadyPlan {
    /// Applies `result` to `solved`, the plan it was solved from (`before`
    /// with an advised session, if `adds_session`), and derives the rest; any thread.
    pub fn build(before: Plan, solved: Plan, adds_session: bool, result: SolveResult) -> ReadyPlan {
        let had_bookings = before.bookings.iter().any(|b| b.session().is_some());
        let mut after = solved;
        // The worker already explained every booking (`solve_and_explain` does).
        apply_solution(&mut after, result);
        let first_plan = !had_bookings && !adds_session;
        let preview = (!first_plan).then(|| replan_preview(&before, &after));
        let undo_before = without_trails(before);
        let undo_after = without_trails(after.clone());
        ReadyPlan {
            differ: undo_before != undo_after,
            undo_before,
            undo_after,
            label: if had_bookings { "re-plan" } else { "plan the backlog" },
            preview,
            problems: Problems::of(&after),
            summary: PlanSummary::of(&after),
            autosave_copy: after.clone(),
            after,
        }
    }
}

/// The plan as the undo stack keeps it: without the audit trail and save history.
fn without_trails(mut plan: Plan) -> Plan {
    plan.audit.clear();
    plan.history.clear();
    plan
}
