#!/usr/bin/env bash
# Median wall time of `specsite build` on a corpus, end to end (process
# start, reading, parsing, rendering, writing), over N runs.
#
#   benches/build-time.sh [CORPUS_DIR] [RUNS]
#
# Default corpus: ../shared/corpora/rust-rfcs. Uses the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/rust-rfcs}
runs=${2:-11}
cargo build --release --quiet
bin=target/release/specsite
out=$(mktemp -d)/site
"$bin" -q build "$corpus" --out "$out" >/dev/null 2>&1 || true   # warm the page cache
python3 - "$bin" "$corpus" "$out" "$runs" <<'PY'
import statistics, subprocess, sys, time
binary, corpus, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run([binary, "-q", "build", corpus, "--out", out], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
times.sort()
print(f"{corpus}: median {statistics.median(times):.3f} s, min {times[0]:.3f} s, max {times[-1]:.3f} s over {runs} runs")
PY
"$bin" -v build "$corpus" --out "$out" 2>&1 | grep -v '^\s*$' | tail -8
