//! Encryption at rest: plan and recovery files sealed with a passphrase using
//! age's passphrase (scrypt) mode, so a plan copied off a shared practice PC
//! cannot be read without it.
//!
//! Files are written ASCII-armoured (text, so they survive e-mail and copy and
//! paste); armoured and binary age files are both recognised by their header.

use age::secrecy::SecretString;
use std::io::{Read, Write};

/// First bytes of a binary age file.
const BINARY_HEADER: &[u8] = b"age-encryption.org/";
/// First line of an ASCII-armoured age file.
const ARMOR_HEADER: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Shortest passphrase accepted for protecting a plan (the window and the CLI).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Largest passphrase file read: one line of text.
const MAX_PASSPHRASE_FILE_BYTES: u64 = 64 * 1024;

/// A passphrase the user typed. Kept as a secret (zeroed on drop, never printed).
#[derive(Clone)]
pub struct Passphrase {
    secret: SecretString,
    /// scrypt cost as log2(N); `None` lets age pick about one second of work on
    /// this machine, which is what real files should use.
    work_factor: Option<u8>,
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(hidden)")
    }
}

impl Passphrase {
    pub fn new(text: &str) -> Self {
        Self { secret: SecretString::from(text.to_string()), work_factor: None }
    }

    /// A passphrase with a fixed scrypt cost (log2 N, 1..=30). Tests use a low
    /// cost so that saving does not take a second each time; real saves should
    /// use [`Passphrase::new`].
    pub fn with_work_factor(text: &str, log_n: u8) -> Self {
        Self { secret: SecretString::from(text.to_string()), work_factor: Some(log_n.clamp(1, 30)) }
    }

    /// Reads a passphrase from a file (its first line, without the line ending
    /// or the byte-order mark Notepad puts first), as `rebook check
    /// --passphrase-file` does. Only an ordinary file of at most 64 KB is read.
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Self> {
        let bytes = crate::io::limits::read_regular_file(path, MAX_PASSPHRASE_FILE_BYTES)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "the passphrase file is not UTF-8 text")
        })?;
        let line = Self::first_line(&text);
        if line.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "the passphrase file is empty"));
        }
        Ok(Self::new(line))
    }

    /// The passphrase in a file's text: its first line, without a byte-order
    /// mark (or several: a file saved again by a tool that adds one each time).
    pub fn first_line(text: &str) -> &str {
        let text = text.trim_start_matches('\u{feff}');
        text.split(['\n', '\r']).next().unwrap_or("")
    }

    /// Its length in characters, to refuse one too short to protect anything.
    pub fn char_count(&self) -> usize {
        use age::secrecy::ExposeSecret;
        self.secret.expose_secret().chars().count()
    }

    fn recipient(&self) -> age::scrypt::Recipient {
        let mut recipient = age::scrypt::Recipient::new(self.secret.clone());
        if let Some(log_n) = self.work_factor {
            recipient.set_work_factor(log_n);
        }
        recipient
    }
}

/// Why a sealed file could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the passphrase is wrong (or the file is damaged)")]
    WrongPassphrase,
    #[error("the file is encrypted with keys, not a passphrase; Rebook only opens passphrase-protected files")]
    NotPassphrase,
    #[error(
        "the file asks for far more work to unlock (scrypt cost 2^{required}) than Rebook allows on this computer; it was not written by Rebook"
    )]
    TooCostly { required: u8 },
    #[error("the encrypted file is damaged or truncated: {0}")]
    Damaged(String),
    #[error("the decrypted plan is larger than {max} bytes; it is not a Rebook plan")]
    TooLarge { max: u64 },
    #[error("could not encrypt: {0}")]
    Encrypt(String),
}

/// Whether these bytes are an age file (armoured or binary), judged by the header.
pub fn is_encrypted(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let rest = &bytes[start..];
    bytes.starts_with(BINARY_HEADER) || rest.starts_with(ARMOR_HEADER)
}

/// Encrypts `plain` with the passphrase. `armor` writes ASCII text, otherwise binary.
pub fn encrypt(plain: &[u8], passphrase: &Passphrase, armor: bool) -> Result<Vec<u8>, CryptoError> {
    let fail = |e: &dyn std::fmt::Display| CryptoError::Encrypt(e.to_string());
    let recipient = passphrase.recipient();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).map_err(|e| fail(&e))?;
    let format = if armor { age::armor::Format::AsciiArmor } else { age::armor::Format::Binary };
    let mut out = Vec::with_capacity(plain.len() * 4 / 3 + 1024);
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, format).map_err(|e| fail(&e))?;
    let mut writer = encryptor.wrap_output(armored).map_err(|e| fail(&e))?;
    writer.write_all(plain).map_err(|e| fail(&e))?;
    writer.finish().and_then(|armored| armored.finish()).map_err(|e| fail(&e))?;
    Ok(out)
}

/// Decrypts an age file sealed with a passphrase, reading at most `max_plain`
/// bytes of plaintext so a hostile file cannot exhaust memory.
pub fn decrypt(sealed: &[u8], passphrase: &Passphrase, max_plain: u64) -> Result<Vec<u8>, CryptoError> {
    let reader = age::armor::ArmoredReader::new(sealed);
    let decryptor = age::Decryptor::new(reader).map_err(map_decrypt_error)?;
    if !decryptor.is_scrypt() {
        return Err(CryptoError::NotPassphrase);
    }
    // age allows up to 16x the local one-second cost by default; keep that bound.
    let identity = age::scrypt::Identity::new(passphrase.secret.clone());
    let mut plain_reader =
        decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(map_decrypt_error)?;
    let mut plain = Vec::new();
    (&mut plain_reader)
        .take(max_plain.saturating_add(1))
        .read_to_end(&mut plain)
        .map_err(|e| CryptoError::Damaged(e.to_string()))?;
    if plain.len() as u64 > max_plain {
        return Err(CryptoError::TooLarge { max: max_plain });
    }
    Ok(plain)
}

fn map_decrypt_error(e: age::DecryptError) -> CryptoError {
    use age::DecryptError as E;
    match e {
        E::DecryptionFailed | E::KeyDecryptionFailed | E::NoMatchingKeys => CryptoError::WrongPassphrase,
        E::ExcessiveWork { required, .. } => CryptoError::TooCostly { required },
        other => CryptoError::Damaged(other.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn quick(text: &str) -> Passphrase {
        Passphrase::with_work_factor(text, 4)
    }

    #[test]
    fn round_trips_armored_and_binary() {
        for armor in [true, false] {
            let sealed = encrypt(b"SMITH, Jane", &quick("correct horse"), armor).unwrap();
            assert!(is_encrypted(&sealed));
            assert!(!sealed.windows(5).any(|w| w == b"SMITH"));
            assert_eq!(decrypt(&sealed, &quick("correct horse"), 100).unwrap(), b"SMITH, Jane");
        }
    }

    #[test]
    fn wrong_passphrase_is_named() {
        let sealed = encrypt(b"plan", &quick("right"), true).unwrap();
        assert_eq!(decrypt(&sealed, &quick("wrong"), 100), Err(CryptoError::WrongPassphrase));
    }

    #[test]
    fn truncated_or_oversized_plaintext_is_refused() {
        let sealed = encrypt(&[b'x'; 200_000], &quick("p"), false).unwrap();
        let cut = &sealed[..sealed.len() - 1000];
        assert!(matches!(decrypt(cut, &quick("p"), 1_000_000), Err(CryptoError::Damaged(_))));
        assert_eq!(decrypt(&sealed, &quick("p"), 1000), Err(CryptoError::TooLarge { max: 1000 }));
    }

    #[test]
    fn a_notepad_passphrase_file_reads_as_typed() {
        assert_eq!(Passphrase::first_line("\u{feff}correct horse\r\nsecond"), "correct horse");
        assert_eq!(Passphrase::first_line("correct horse\n"), "correct horse");
        // Found by fuzzing: two marks left the second in the passphrase.
        assert_eq!(Passphrase::first_line("\u{feff}\u{feff}r\r\nr\r\n"), "r");
    }

    proptest::proptest! {
        /// The passphrase-file fuzz target's property: the first line, never a
        /// byte-order mark or a line ending, and nothing read past it.
        #[test]
        fn a_passphrase_is_the_first_line_of_any_text(text in "\\PC{0,60}(\r?\n\\PC{0,20})?") {
            let line = Passphrase::first_line(&text);
            let clean = !line.starts_with('\u{feff}') && !line.contains(['\n', '\r']);
            proptest::prop_assert!(clean, "{:?}", line);
            let with_bom = format!("\u{feff}{text}");
            proptest::prop_assert_eq!(Passphrase::first_line(&with_bom), line);
            let with_two = format!("\u{feff}\u{feff}{text}");
            proptest::prop_assert_eq!(Passphrase::first_line(&with_two), line);
        }
    }

    #[test]
    fn plain_text_is_not_taken_for_encrypted() {
        assert!(!is_encrypted(b"Plan(format_version: 1)"));
        assert!(!is_encrypted(b""));
        assert!(is_encrypted(b"\n-----BEGIN AGE ENCRYPTED FILE-----\n"));
    }
}
