#!/usr/bin/env bash
# Median wall time of `specsite build` on a corpus, end to end (process
# start, reading, parsing, rendering, writing), over N runs, in three
# situations:
#
#   cold   --no-cache, into a fresh empty directory each run: everything
#          highlighted and written from scratch (a first build, or CI
#          without a cache);
#   warm   highlight cache filled, into the same output directory each
#          run (the edit-build loop; CI that keeps ~/.cache/specsite);
#   fresh  highlight cache filled, into a fresh empty directory each run.
#
#   benches/build-time.sh [CORPUS_DIR] [RUNS] [OUT_PARENT]
#
# Default corpus: ../shared/corpora/rust-rfcs; OUT_PARENT defaults to the
# system temp dir (pass /dev/shm to leave the disk out). Uses the release
# binary and a private cache directory. Runs under SCHED_FIFO when allowed
# (root), which keeps a busy machine's other work from stretching them.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/rust-rfcs}
runs=${2:-11}
parent=${3:-${TMPDIR:-/tmp}}
cargo build --release --quiet
bin=target/release/specsite
work=$(mktemp -d "$parent/specsite-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export SPECSITE_CACHE_DIR="$work/cache"
python3 - "$bin" "$corpus" "$work" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time
binary, corpus, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
prefix = ["chrt", "-f", "10"] if shutil.which("chrt") and os.geteuid() == 0 else []

def build(out, *extra):
    start = time.perf_counter()
    subprocess.run(prefix + [binary, "-q", "build", corpus, "--out", out, *extra],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start

def report(name, times):
    times.sort()
    print(f"{name:5s} median {statistics.median(times):.3f} s, min {times[0]:.3f} s, "
          f"max {times[-1]:.3f} s over {len(times)} runs")

def fresh_dir(i):
    path = os.path.join(work, f"fresh-{i}")
    shutil.rmtree(path, ignore_errors=True)
    return path

print(corpus)
build(fresh_dir(0), "--no-cache")  # warm the page cache
report("cold", [build(fresh_dir(i), "--no-cache") for i in range(runs)])
same = os.path.join(work, "site")
build(same)  # fills the highlight cache
report("warm", [build(same) for _ in range(runs)])
report("fresh", [build(fresh_dir(i)) for i in range(runs)])
PY
"$bin" -v build "$corpus" --out "$work/site" 2>&1 | grep -v '^\s*$' | tail -8
