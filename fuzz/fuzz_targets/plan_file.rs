//! Any bytes given as a plan file load or fail with an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebook::io::plan_file;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(plan) = plan_file::parse_bytes(data.to_vec(), Path::new("fuzz.rebook.ron"), None) {
        // What loads must save and load again to the same plan.
        if let Ok(text) = plan_file::to_ron(&plan) {
            let again = plan_file::parse_plan(&text, Path::new("again.rebook.ron"));
            assert!(again.is_ok_and(|p| p == plan), "a loaded plan did not survive save and load");
        }
    }
});
