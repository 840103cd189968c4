#!/usr/bin/env bash
# Runs each fuzz target (or only those named after SECONDS) for SECONDS
# (default 60), one at a time at low priority,
# seeded with the project's own example files. Crashes are saved under
# fuzz/artifacts/<target>/; a summary line per target is printed at the end.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); nightly features are enabled
# with RUSTC_BOOTSTRAP so the stable toolchain works.
set -euo pipefail
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(plan_file backlog_csv rota_csv lock_file passphrase_file)
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR_FUZZ:-$here/target}"

mkdir -p corpus/plan_file corpus/backlog_csv corpus/rota_csv corpus/lock_file corpus/passphrase_file
cp -n ../data/*.ron corpus/plan_file/ 2>/dev/null || true
cp -n ../data/*/backlog*.csv corpus/backlog_csv/ 2>/dev/null || true
cp -n ../data/*/rota*.csv corpus/rota_csv/ 2>/dev/null || true
# A lock as Rebook writes it, one with a "saving" mark, and passphrase files
# as typed and as Notepad saves them (a byte-order mark and CRLF).
now="2026-01-05T09:12:00Z"
printf '{"user":"jsmith","machine":"RECEPTION-2","pid":4242,"since":"%s","refreshed":"%s","token":"0123456789abcdef-4242-1"}\n' "$now" "$now" >corpus/lock_file/lock.json
printf '{"user":"jsmith","machine":"RECEPTION-2","pid":4242,"since":"%s","refreshed":"%s","saving":"%s","token":"t"}\n' "$now" "$now" "$now" >corpus/lock_file/saving.json
printf 'correct horse battery\n' >corpus/passphrase_file/plain.txt
printf '\xef\xbb\xbfcorrect horse battery\r\n' >corpus/passphrase_file/notepad.txt

status=0
summary=""
for target in "${targets[@]}"; do
    log="$here/$target.log"
    echo "== $target for ${seconds}s (log: $log)"
    if nice -n 19 cargo fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
        result="no crash"
    else
        result="CRASH (see $log and artifacts/$target/)"
        status=1
    fi
    stats=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true)
    execs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' | tail -1 || echo "?")
    summary+="$target: ${seconds}s, $execs execs, $result; last: $stats"$'\n'
done
printf '%s' "$summary"
exit "$status"
