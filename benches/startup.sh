#!/usr/bin/env bash
# M 4: process start to the first painted frame, on the sample project, under Xvfb.
#
#   benches/startup.sh [RUNS]        (default 5 runs per variant; needs Xvfb, a release build)
#
# Each run starts `target/release/marginalia` with MARGINALIA_STARTUP=exit: the app prints the time
# from main's first line to its first painted frame, then closes. Variants, side by side in one
# run: the shipped fonts (the default) and without them (MARGINALIA_FONTS=system), each with the
# preferences of a user who has used the app (recent files, a window size) and with none. The
# machine's load is printed first: record it with the figures in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=${MARGINALIA_BIN:-target/release/marginalia}
[ -x "$bin" ] || cargo build --release --quiet
display=:97
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$tmp"' EXIT
tmp=$(mktemp -d)
sleep 1
export DISPLAY=$display XDG_RUNTIME_DIR=$tmp/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min), $(nproc) cores"
run() { # name, fonts, config home
  local name=$1 fonts=$2 home=$3 times=()
  for _ in $(seq "$runs"); do
    local line
    line=$(XDG_CONFIG_HOME=$home XDG_DATA_HOME=$home MARGINALIA_FONTS=$fonts MARGINALIA_STARTUP=exit \
      timeout 30 "$bin" projects/sample.ron 2>&1 >/dev/null | grep 'first frame painted' || true)
    times+=("$(sed -E 's/.* ([0-9.]+) ms .*/\1/' <<<"$line")")
  done
  printf '%-44s %s ms\n' "$name" "$(printf '%s ' "${times[@]}" | xargs -n1 | sort -n | xargs)"
}
# A used profile: one run leaves eframe's storage (recent files, window size) behind.
used=$tmp/used && mkdir -p "$used"
XDG_CONFIG_HOME=$used XDG_DATA_HOME=$used MARGINALIA_STARTUP=exit timeout 30 "$bin" projects/sample.ron >/dev/null 2>&1 || true
run "shipped fonts, fresh profile" shipped "$tmp/fresh1"
run "shipped fonts, used profile (recent files)" shipped "$used"
run "system fonts only, fresh profile" system "$tmp/fresh2"
run "system fonts only, used profile" system "$used"
echo "release binary: $(du -k "$bin" | cut -f1) KB"
