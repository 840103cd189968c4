//! Any bytes as a plan's lock file are read as a lock or as a damaged lock
//! (which is stale and says why); never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebook::io::lock;

fuzz_target!(|data: &[u8]| {
    let info = lock::decode(data);
    let text = info.describe();
    assert!(!text.is_empty());
    if info.damaged.is_some() {
        assert!(info.is_stale(chrono::Local::now(), lock::DEFAULT_STALE_AFTER), "a damaged lock is stale");
    }
    // Names shown to colleagues never carry control characters.
    assert!(!info.user.chars().any(char::is_control) && !info.machine.chars().any(char::is_control));
});
