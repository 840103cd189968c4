//! Sending PDFs to the system: CUPS printers through `lpstat`/`lp` on Linux and
//! macOS, the default PDF viewer elsewhere (Windows, or no printer set up).

use super::PrintError;
use crate::io::plan_file::write_atomically;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Printers CUPS knows (`lpstat -e`), sorted; empty when CUPS is not installed.
pub fn list_printers() -> Vec<String> {
    let Ok(output) = Command::new("lpstat").arg("-e").output() else {
        return Vec::new();
    };
    if !output.status.success() {
        return Vec::new();
    }
    let mut printers: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    printers.sort();
    printers.dedup();
    printers
}

/// Prints a PDF file with `lp`, on `printer` or the system's default printer.
/// On Windows there is no `lp`: the PDF opens in the default viewer to print from there.
pub fn send_to_printer(pdf: &Path, printer: Option<&str>) -> Result<(), PrintError> {
    if cfg!(windows) {
        return open_in_viewer(pdf);
    }
    let printers = list_printers();
    if printers.is_empty() && !lp_available() {
        return Err(PrintError::LpMissing);
    }
    if let Some(name) = printer
        && !printers.iter().any(|p| p == name)
    {
        return Err(PrintError::NoSuchPrinter(name.to_string()));
    }
    let mut command = Command::new("lp");
    if let Some(name) = printer {
        command.arg("-d").arg(name);
    }
    command.arg("-t").arg(pdf.file_name().unwrap_or_default()).arg("--").arg(pdf);
    let output = command.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => PrintError::LpMissing,
        _ => PrintError::PrinterFailed(e.to_string()),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if printer.is_none() && message.contains("no default destination") {
        return Err(PrintError::NoPrinter);
    }
    Err(PrintError::PrinterFailed(if message.is_empty() {
        format!("lp exited with {}", output.status)
    } else {
        message
    }))
}

fn lp_available() -> bool {
    Command::new("lp").arg("--help").output().is_ok()
}

/// Opens a PDF in the system's default viewer (to print or read it there).
pub fn open_in_viewer(pdf: &Path) -> Result<(), PrintError> {
    opener::open(pdf).map_err(|e| PrintError::Viewer(e.to_string()))
}

/// Private folder for PDFs on their way to the printer or viewer: readable by
/// this user only, since the lists carry patient details.
fn private_temp_dir() -> Result<PathBuf, PrintError> {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "user".to_string());
    let user: String = user.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    let dir = std::env::temp_dir().join(format!("rebook-{user}"));
    let failed = |message: String| PrintError::TempFile { path: dir.clone(), message };
    std::fs::create_dir_all(&dir).map_err(|e| failed(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| failed(format!("could not make it private: {e}")))?;
    }
    Ok(dir)
}

/// Writes PDF bytes to a new file in the private temp folder; `stem` names it.
pub fn write_temp_pdf(bytes: &[u8], stem: &str) -> Result<PathBuf, PrintError> {
    let dir = private_temp_dir()?;
    let stem: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%3f");
    // Two prints in the same millisecond must not share a file: add a per-process counter.
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("{stem}-{stamp}-{}-{n}.pdf", std::process::id()));
    write_atomically(&path, bytes).map_err(|e| PrintError::TempFile { path: path.clone(), message: e.to_string() })?;
    Ok(path)
}

/// Print from the app: writes the PDF to the private temp folder, then sends
/// it to `printer` (or the default). Where printing is not possible the PDF
/// opens in the viewer instead and the returned note says so.
pub fn print_pdf_bytes(bytes: &[u8], stem: &str, printer: Option<&str>) -> Result<Option<String>, PrintError> {
    let path = write_temp_pdf(bytes, stem)?;
    match send_to_printer(&path, printer) {
        Ok(()) => Ok(None),
        Err(PrintError::LpMissing | PrintError::NoPrinter) if printer.is_none() => {
            open_in_viewer(&path)?;
            Ok(Some(
                "No printer is set up here, so the list opened in your PDF viewer: print it from there.".to_string(),
            ))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_printer_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let pdf = dir.path().join("x.pdf");
        std::fs::write(&pdf, b"%PDF-1.7").unwrap_or_else(|e| panic!("{e}"));
        let name = "No-Such-Printer-For-Rebook";
        match send_to_printer(&pdf, Some(name)) {
            Err(PrintError::NoSuchPrinter(n)) => assert_eq!(n, name),
            // A machine without CUPS says that instead.
            Err(PrintError::LpMissing) => assert!(!lp_available()),
            other => panic!("expected NoSuchPrinter, got {other:?}"),
        }
    }

    #[test]
    fn temp_pdfs_are_private_and_distinct() {
        let a = write_temp_pdf(b"%PDF-1.7 a", "Call list").unwrap_or_else(|e| panic!("{e}"));
        let b = write_temp_pdf(b"%PDF-1.7 b", "Call list").unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
        assert_eq!(std::fs::read(&a).unwrap_or_default(), b"%PDF-1.7 a");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let dir = a.parent().unwrap_or(Path::new("/"));
            let mode = std::fs::metadata(dir).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            assert_eq!(mode, 0o700);
        }
        let _ = std::fs::remove_file(a);
        let _ = std::fs::remove_file(b);
    }
}
