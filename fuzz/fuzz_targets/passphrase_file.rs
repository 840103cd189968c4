//! Any bytes as a passphrase file give a passphrase or a clear error; never a
//! panic. The passphrase is the first line without a byte-order mark or line ending.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebook::io::crypto::Passphrase;

fuzz_target!(|data: &[u8]| {
    let file = std::env::temp_dir().join(format!("rebook-fuzz-passphrase-{}", std::process::id()));
    if std::fs::write(&file, data).is_err() {
        return;
    }
    match Passphrase::from_file(&file) {
        Ok(pass) => {
            let text = std::str::from_utf8(data).expect("only UTF-8 text gives a passphrase");
            let line = Passphrase::first_line(text);
            assert_eq!(pass.char_count(), line.chars().count());
            assert!(!line.starts_with('\u{feff}') && !line.contains(['\n', '\r']));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
