#!/usr/bin/env bash
# Compares two pipeline_bench binaries in interleaved runs (A, B, A, B, ...)
# and prints each run and the medians: on a shared VM the rate of one
# binary varies ±15 % within minutes, so only runs made in the same
# minutes compare, and CPU per communication varies less than the rate.
#
#   bash bench/compare.sh OLD NEW [ROUNDS] [PHASE] [EVENTS] [FLAG VALUE ...]
#     PHASE: throughput (default) | timers | latency
#     further flags go to both binaries, e.g. --warmup-events 100000
#
# Keep the old binary as a copy (cp build/bench/pipeline_bench /tmp/old)
# before rebuilding. Runs use a scratch folder under $TMPDIR.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: bash bench/compare.sh OLD NEW [ROUNDS] [throughput|timers|latency] [EVENTS] [FLAG VALUE ...]" >&2
  exit 2
fi
old=$1 new=$2 rounds=${3:-5} phase=${4:-throughput} events=${5:-100000}
shift $(($# < 5 ? $# : 5))
extra=("$@")  # passed on to both binaries
for bin in "$old" "$new"; do
  [ -x "$bin" ] || { echo "compare.sh: $bin is not an executable" >&2; exit 2; }
done
case "$phase" in throughput|timers|latency) ;; *) echo "compare.sh: unknown phase '$phase'" >&2; exit 2 ;; esac
for n in "$rounds" "$events"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: ROUNDS and EVENTS must be positive whole numbers, not '$n'" >&2; exit 2; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/herald-compare.XXXXXX")
trap 'rm -rf "$dir"' EXIT
results="$dir/results.jsonl"
for ((r = 1; r <= rounds; r++)); do
  for side in old new; do
    bin=$old
    [ "$side" = new ] && bin=$new
    if ! line=$("$bin" --only "$phase" --events "$events" --ceiling no --dir "$dir/data" "${extra[@]}" 2>"$dir/stderr"); then
      echo "compare.sh: $bin failed:" >&2
      cat "$dir/stderr" >&2
      exit 1
    fi
    line=$(printf '%s\n' "$line" | tail -1)
    echo "{\"side\":\"$side\",\"run\":$line}" >> "$results"
    echo "$side $line"
  done
done
python3 - "$results" "$phase" <<'PY'
import json, statistics, sys
path, phase = sys.argv[1], sys.argv[2]
fields = {"throughput": ["communications_per_s", "cpu_us_per_communication"],
          "timers": ["timers_fired_per_s", "cpu_us_per_timer"],
          "latency": ["latency_p50_ms", "latency_p99_ms"]}[phase]
runs = [json.loads(line) for line in open(path)]
med = {}
for side in ("old", "new"):
    for f in fields:
        vals = [r["run"][f] for r in runs if r["side"] == side and f in r["run"]]
        med[(side, f)] = statistics.median(vals) if vals else None
        print(f"{side} {f}: median {med[(side, f)]} of {sorted(vals)}")
for f in fields:
    o, n = med[("old", f)], med[("new", f)]
    if o and n:
        print(f"{f}: new/old {100.0 * (n - o) / o:+.1f} %")
PY
