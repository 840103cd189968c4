//! Killing Rebook in the middle of a save (SIGKILL, at random points, many
//! times) always leaves either the old or the new plan intact, plain or encrypted.
//!
//! The process killed is this test binary itself, re-run with `SAVE_LOOP_*`
//! variables set so that `save_loop_child` saves a plan over and over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::{Rng, SeedableRng};
use rebook::generate::{benchmark_config, generate};
use rebook::io::crypto::Passphrase;
use rebook::io::plan_file;
use rebook::model::Plan;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const KILLS: usize = 30;

/// Not a test on its own: when run by `run_and_kill`, loads the plan named in
/// `SAVE_LOOP_IN` and saves it to `SAVE_LOOP_OUT` until killed, numbering each
/// version in the practice name and printing `saved N` after each save.
#[test]
fn save_loop_child() {
    let (Some(input), Some(out)) = (std::env::var_os("SAVE_LOOP_IN"), std::env::var_os("SAVE_LOOP_OUT")) else {
        return;
    };
    let pass = std::env::var("SAVE_LOOP_PASSPHRASE").ok().map(|p| Passphrase::with_work_factor(&p, 10));
    let mut plan = plan_file::load(Path::new(&input)).unwrap();
    let base = plan.practice.name.clone();
    let first: u64 = std::env::var("SAVE_LOOP_FROM").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    // Plain saves reuse one rendering with the number swapped in, so that almost
    // all the time goes to writing files and the kills land mostly there.
    plan.practice.name = format!("{base} #VERSION");
    let template = plan_file::to_ron(&plan).unwrap();
    for version in first.. {
        plan.practice.name = format!("{base} #{version}");
        match &pass {
            Some(pass) => plan_file::save_with(&plan, Path::new(&out), Some(pass)).unwrap(),
            None => {
                let text = template.replacen("#VERSION", &format!("#{version}"), 1);
                plan_file::save_bytes(Path::new(&out), text.as_bytes()).unwrap();
            }
        }
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "saved {version}").unwrap();
        stdout.flush().unwrap();
    }
}

/// Starts the save loop in a child process, waits until it has saved at least
/// once, lets it run a random while, kills it, and returns the last version it reported.
fn run_and_kill(input: &Path, out: &Path, passphrase: Option<&str>, from: u64, delay: Duration) -> u64 {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["crash_safety::save_loop_child", "--exact", "--nocapture", "--test-threads", "1"])
        .env("SAVE_LOOP_IN", input)
        .env("SAVE_LOOP_OUT", out)
        .env("SAVE_LOOP_FROM", from.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(p) = passphrase {
        cmd.env("SAVE_LOOP_PASSPHRASE", p);
    }
    let mut child = cmd.spawn().unwrap();
    // libtest may print "test save_loop_child ... " before the first line.
    let mut saved = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| l.split_once("saved ").and_then(|(_, n)| n.parse::<u64>().ok()));
    let first = saved.next().expect("the save loop never saved");
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    saved.last().unwrap_or(first)
}

/// The version number a saved copy carries, after checking that, apart from
/// it, the copy is exactly the base plan.
fn intact_version(saved: Plan, base: &Plan) -> u64 {
    let (name, number) = saved.practice.name.rsplit_once(" #").expect("version marker");
    assert_eq!(name, base.practice.name);
    let mut unmarked = saved.clone();
    unmarked.practice.name = base.practice.name.clone();
    assert!(unmarked == *base, "the saved plan differs from the plan written");
    number.parse().unwrap()
}

fn kill_repeatedly(passphrase: Option<&str>, kills: usize, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let base = generate(&benchmark_config(3000, 7));
    let input = dir.path().join("input.rebook.ron");
    plan_file::save(&base, &input).unwrap();
    let out = dir.path().join("out.rebook.ron");
    let pass = passphrase.map(|p| Passphrase::with_work_factor(p, 10));
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut last_seen = 0;
    let mut mid_write = 0;
    for _ in 0..kills {
        let delay = Duration::from_millis(rng.random_range(0..400));
        let reported = run_and_kill(&input, &out, passphrase, last_seen + 1, delay);
        let version = intact_version(plan_file::load_with(&out, pass.as_ref()).unwrap(), &base);
        // A save that reported success is on disk; the next one may or may not be.
        assert!(version == reported || version == reported + 1, "version {version}, reported {reported}");
        assert!(version > last_seen, "went back from {last_seen} to {version}");
        last_seen = version;
        let backup = plan_file::backup_path(&out);
        if backup.exists() {
            intact_version(plan_file::load_with(&backup, pass.as_ref()).unwrap(), &base);
        }
        // Count kills that caught a temporary file half-written, then clear it away.
        for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
            if entry.file_name().to_string_lossy().contains(".tmp-") {
                mid_write += 1;
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    }
    eprintln!("{kills} kills, {mid_write} left a temporary file behind, {last_seen} saves in all");
}

#[test]
fn killing_a_plain_save_leaves_the_old_or_new_plan() {
    kill_repeatedly(None, KILLS, 1);
}

#[test]
fn killing_an_encrypted_save_leaves_the_old_or_new_plan() {
    kill_repeatedly(Some("crash test"), KILLS / 2, 2);
}
