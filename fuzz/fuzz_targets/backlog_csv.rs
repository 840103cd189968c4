//! Any bytes given as a backlog CSV preview (and accept) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebook::io::csv_import;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn plan() -> &'static rebook::model::Plan {
    static PLAN: OnceLock<rebook::model::Plan> = OnceLock::new();
    PLAN.get_or_init(|| rebook::generate::generate(&rebook::generate::example_config()))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(preview) = csv_import::preview_backlog(plan(), data, &BTreeMap::new()) {
        let mut plan = plan().clone();
        let before = plan.backlog.len();
        // Rows whose id is already in the plan update it (a newer export); the rest are added.
        let diff = csv_import::accept_backlog(&mut plan, preview);
        assert_eq!(plan.backlog.len(), before + diff.added.len());
    }
});
