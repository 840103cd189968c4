//! What callers of the optimiser see: options, progress, figures, result and errors.
//! A module of its own so the LP layer (`scheduler::lp`) can use `Backend` and
//! `SolveError` without depending on the optimiser that depends on it.

use crate::model::{Booking, SolveInfo};
use std::time::Duration;

/// Which LP solver runs the relaxation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// Pure Rust (microlp): builds anywhere with cargo alone.
    #[default]
    Default,
    /// HiGHS, an outside LP solver (needs the `highs` cargo feature); not measured faster than the default here.
    Highs,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Default => "microlp",
            Backend::Highs => "highs",
        }
    }

    /// Whether this build can use the backend.
    pub fn available(self) -> bool {
        match self {
            Backend::Default => true,
            Backend::Highs => cfg!(feature = "highs"),
        }
    }
}

/// A solver backend name that is none of ours (as typed, trimmed and lower-cased).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown solver backend \"{0}\": use default or highs")]
pub struct UnknownBackend(pub String);

impl std::str::FromStr for Backend {
    type Err = UnknownBackend;

    fn from_str(text: &str) -> Result<Backend, UnknownBackend> {
        match text.trim().to_ascii_lowercase().as_str() {
            "default" | "microlp" => Ok(Backend::Default),
            "highs" => Ok(Backend::Highs),
            other => Err(UnknownBackend(other.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SolveOptions {
    pub backend: Backend,
    /// Stop after this long and return the best plan found, with its gap.
    pub time_limit: Option<Duration>,
}

/// What the solver is doing, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub message: String,
    /// 0.0 to 1.0.
    pub fraction: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SolveStats {
    pub build_ms: f64,
    pub solve_ms: f64,
    pub variables: usize,
    pub constraints: usize,
    pub components: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SolveResult {
    /// One booking per backlog item, in backlog order.
    pub bookings: Vec<Booking>,
    pub info: SolveInfo,
    pub stats: SolveStats,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    #[error("the plan has no sessions: add clinician sessions (the rota) before planning")]
    NoSessions,
    #[error("no backlog: there are no cancelled appointments to rebook")]
    NoBacklog,
    #[error(
        "the HiGHS solver is not built into this copy of Rebook: rebuild with `cargo build --release --features highs`, or use the default solver"
    )]
    BackendMissing,
    #[error("planning was cancelled")]
    Cancelled,
    #[error("the solver failed: {0}")]
    Solver(String),
}
