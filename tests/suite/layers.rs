//! The layering rules, checked on the source: the window reads and writes no
//! files itself (file I/O lives in `io`, with its size caps and atomic writes),
//! the library and the CLI need nothing of the window, and a build without the
//! `gui` feature says plainly that it has no window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// Crates only the window needs (the `gui` feature's dependencies and theirs).
const WINDOW_CRATES: &[&str] = &["eframe", "egui", "egui_extras", "egui_plot", "rfd", "wgpu", "winit"];

#[test]
fn the_window_code_uses_no_std_fs() {
    let gui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join("gui");
    let files = rust_files(&gui);
    assert!(files.len() > 10, "the walk found only {} files under {}", files.len(), gui.display());
    let found: Vec<String> = files.iter().flat_map(|file| uses_of(file, &["fs"])).collect();
    assert!(
        found.is_empty(),
        "src/gui must not read or write files itself; use rebook::io (size caps, atomic writes):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_library_and_the_cli_need_nothing_of_the_window() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let gui = src.join("gui");
    let mut found = Vec::new();
    for file in rust_files(&src).iter().filter(|f| !f.starts_with(&gui)) {
        // main.rs chooses between the window and the CLI; lib.rs declares `gui`.
        let chooser = file.ends_with("main.rs") || file.ends_with("lib.rs");
        if !chooser {
            found.extend(uses_of(file, WINDOW_CRATES));
            found.extend(uses_of(file, &["gui"]));
        }
    }
    assert!(found.is_empty(), "only src/gui and src/main.rs may use the window:\n{}", found.join("\n"));
}

#[test]
fn the_detector_sees_uses_in_code_but_not_in_comments_or_strings() {
    let planted = [
        "use std::fs;",
        "let t = std::fs::read_to_string(p);",
        "use std::{fs, io};",
        "let s = \"https://example.org\"; fs::write(p, s)",
        "let c = '\"'; let _ = fs::remove_file(p); // \"",
        "/* a comment */ let _ = ::std::fs::metadata(p);",
    ];
    for line in planted {
        assert_eq!(words_in_code(line, &["fs"]), vec![1], "missed the use in {line}");
    }
    let harmless = [
        "// reads with std::fs::read",
        "/// fs::write, see io",
        "/* std::fs /* nested */ fs:: */",
        "let s = \"std::fs::read\";",
        "let s = r#\"fs::write \"quoted\"\"#;",
        "let s = \"escaped \\\" fs::write\";",
        "let s = br##\"fs::read \"# still\"##; let q = '\\''; let r = '\"';",
        "let refs = offsets; fn f<'a>(x: &'a str) {}",
    ];
    for line in harmless {
        assert_eq!(words_in_code(line, &["fs"]), Vec::<usize>::new(), "false alarm in {line}");
    }
    assert_eq!(words_in_code("a\n/* x\n y */ egui::Ui\n", &["egui"]), vec![3]);
}

/// In a headless build, no subcommand is an error that says what to run.
#[cfg(not(feature = "gui"))]
#[test]
fn a_headless_build_says_it_has_no_window() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rebook")).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("this build has no window; run `rebook --help`"), "{stderr}");
}

/// The CLI itself never opens the window: without a subcommand it refuses.
#[test]
fn the_cli_without_a_subcommand_refuses_rather_than_open_a_window() {
    use clap::Parser;
    let cli = rebook::cli::Cli::parse_from(["rebook"]);
    assert!(rebook::cli::run(cli).is_err());
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// "path:line: text" for every line of `file` whose code names one of `words`.
fn uses_of(file: &Path, words: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    words_in_code(&text, words)
        .into_iter()
        .map(|n| format!("{}:{n}: {}", file.display(), lines.get(n - 1).map_or("", |l| l.trim())))
        .collect()
}

/// The (1-based) lines on which one of `words` appears as a whole identifier
/// in code: comments (line, doc and nested block), string and char literals
/// are skipped, so a doc comment saying "unlike std::fs" is not a use.
fn words_in_code(source: &str, words: &[&str]) -> Vec<usize> {
    let chars: Vec<char> = source.chars().collect();
    let mut lines = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, c)| chars.get(i + k) == Some(&c));
    while i < chars.len() {
        let c = chars[i];
        if at(i, "//") {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 0;
            while i < chars.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                line += usize::from(chars.get(i) == Some(&'\n'));
                i += 1;
            }
            i += 1;
        } else if c == '\'' && (chars.get(i + 1) == Some(&'\\') || chars.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n' or '\''); a lone quote is a lifetime.
            i += if chars.get(i + 1) == Some(&'\\') { 3 } else { 2 };
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if ident_char(Some(&c)) {
            let start = i;
            while ident_char(chars.get(i)) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
            if (word == "r" || word == "br") && chars.get(i + hashes) == Some(&'"') {
                // A raw string: r"..." or r#"..."#, with no escapes inside.
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                i += hashes + 1;
                while i < chars.len() && !at(i, &close) {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += close.len();
                continue;
            }
            if words.contains(&word.as_str()) && lines.last() != Some(&line) {
                lines.push(line);
            }
        } else {
            line += usize::from(c == '\n');
            i += 1;
        }
    }
    lines
}

fn ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}
