//! Whether a process of this computer is still running: how a lock, a
//! leftover temporary file or an autosave of a closed copy is told stale.

use std::path::Path;

/// Whether process `pid` of this computer is running.
#[cfg(target_os = "linux")]
pub(crate) fn process_alive(pid: u32) -> bool {
    // Without /proc (a sandbox) nothing can be told: assume alive.
    !Path::new("/proc/self").exists() || Path::new("/proc").join(pid.to_string()).exists()
}

/// Whether process `pid` of this computer is running (not known here: assume so).
#[cfg(not(target_os = "linux"))]
pub(crate) fn process_alive(_pid: u32) -> bool {
    true
}
