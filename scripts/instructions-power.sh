#!/usr/bin/env bash
# The instruction-count gate's power table: adds a known amount of work to one stage (a `work:`
# fault, calibrated to a fraction of the episode's instructions) and asks `phibench instructions
# --compare` whether a THRESHOLD gate sees it. Counts are exact, so one run per level is enough.
#
#   scripts/instructions-power.sh [SCENARIO] [STAGE]   (defaults: scenarios/bench.yaml ESGT)
#   THRESHOLD=1% EPISODES=2000 WARMUP=1000 LEVELS="0 0.5 1 2 3 5 10" BIN=.build/release/phibench
#
# Writes runs/instructions-power/table.md. Every run uses the same run directory and a work count of
# nine digits, so that the runs differ in the injected iterations only (the memory layer's file
# names and the command line are part of what is counted).
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/bench.yaml}
stage=${2:-ESGT}
bin=${BIN:-.build/release/phibench}
threshold=${THRESHOLD:-1%}
episodes=${EPISODES:-2000}
warmup=${WARMUP:-1000}
levels=${LEVELS:-0 0.5 1 2 3 5 10}
root=runs/instructions-power
run=$root/run
mkdir -p "$root"

count() {  # count WORK [extra phibench args...]: one count into $run; prints its stdout
  local work=$1; shift
  "$bin" instructions "$scenario" --episodes "$episodes" --warmup "$warmup" --out "$run" \
    --set "inject+={slow: $stage, work: $(printf '%09d' "$work")}" "$@"
}
field() {  # field FILE KEY: a top-level number of an instructions.json
  sed -n "s/^  \"$2\" : \\([0-9.e+-]*\\),\$/\\1/p" "$1"
}
stage_total() {  # stage_total FILE STAGE: that stage's instructions
  # Keys are sorted: a stage's "instructions" comes just before its "name".
  awk -v s="\"$2\"," '$1 == "\"instructions\"" { v = $3 } $1 == "\"name\"" && $3 == s { gsub(",", "", v); print v; exit }' "$1"
}

echo "baseline: no extra work" >&2
count 0 --quiet
cp "$run/instructions.json" "$root/base.json"
total=$(field "$root/base.json" instructions)
per_episode=$(field "$root/base.json" per_episode)
base_stage=$(stage_total "$root/base.json" "$stage")

calibration=100000
echo "calibration: $calibration iterations in $stage" >&2
count "$calibration" --quiet
cal_stage=$(stage_total "$run/instructions.json" "$stage")
per_iteration=$(awk -v a="$base_stage" -v b="$cal_stage" -v n="$calibration" -v e="$episodes" 'BEGIN { printf "%.6f", (b - a) / (n * e) }')
echo "  $per_iteration instructions per iteration, $per_episode per episode" >&2

{
  echo "| added work (target) | iterations/episode | measured change | verdict at $threshold | exit |"
  echo "|---|---|---|---|---|"
} > "$root/table.md"
for level in $levels; do
  work=$(awk -v f="$level" -v t="$per_episode" -v k="$per_iteration" 'BEGIN { printf "%d", f / 100 * t / k + 0.5 }')
  echo "level $level%: $work iterations" >&2
  set +e
  # --force: the injected work is the simulated code change, so the two workloads differ on purpose.
  out=$(count "$work" --compare "$root/base.json" --threshold "$threshold" --force)
  status=$?
  set -e
  line=$(printf '%s\n' "$out" | awk '$1 == "episode" && NF >= 5 { $1 = $2 = $3 = ""; print; exit }' | sed 's/^ *//')
  change=${line%% *}
  verdict=${line#* }
  echo "| $level% | $work | $change | $verdict | $status |" >> "$root/table.md"
done
cat "$root/table.md"
echo "scenario $scenario, stage $stage, $episodes episodes after $warmup warm-up, $total instructions in the baseline window" >&2
