#!/usr/bin/env bash
# The wall-clock gate's power table from real gate runs: each run is `phibench ab` exactly as make
# bench runs it (one build on both sides), side B with a precise amount of extra busy work in one stage
# (the slow-stage injection) sized as a share of e2e p50, or nothing (A/A). The runs of all levels are
# interleaved run by run so the machine's drift hits every row alike. The replayed table over many more
# gates comes from `phibench power POOL` (README, "The CI gate").
#
#   scripts/power-table.sh RUNS LEVELS...        e.g. scripts/power-table.sh 10 0 0 5   (0 = A/A)
#   POWER_OUT=runs/power POWER_STAGE=MEA BENCH_BUDGET=5m scripts/power-table.sh 5 0 3 5
#
# Results: POWER_OUT/results.csv, one line per gate run (level, run, exit status, verdict, processes a
# side, seconds measured, the primary metric, its change and MDE); it resumes: runs already there are skipped.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

runs=${1:?usage: scripts/power-table.sh RUNS LEVELS...}
shift
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(0 5)
for x in "$runs" "${levels[@]}"; do
  [[ "$x" =~ ^[0-9]+$ ]] || { echo "power-table: '$x' is not a whole number (usage: RUNS LEVELS...)" >&2; exit 2; }
done
scenario=${BENCH_SCENARIO:-scenarios/gate.yaml}
stage=${POWER_STAGE:-MEA}
budget=${BENCH_BUDGET:-5m}
out=${POWER_OUT:-runs/power}
bin=${PHIBENCH_BIN:-.build/release/phibench}
mkdir -p "$out"
[ -x "$bin" ] || swift build -c release --product phibench

# The size of the extra work: a share of e2e p50 from a few plain instances of the scenario.
if [ ! -f "$out/e2e_p50_ns" ]; then
  "$bin" run "$scenario" --trials 4 --quiet --out "$out/reference" || [ $? -eq 1 ]
  jq -r '.summary.metrics["e2e.p50"] | floor' "$out/reference/result.json" > "$out/e2e_p50_ns"
fi
p50=$(cat "$out/e2e_p50_ns")
echo "power-table: e2e p50 of $scenario is ${p50} ns; extra work in $stage; budget $budget a gate run"
[ -f "$out/results.csv" ] || echo "level_pct,run,extra_ns,exit,verdict,processes_per_side,seconds,primary,primary_change,primary_mde" > "$out/results.csv"

for run in $(seq 1 "$runs"); do
  declare -A copies=()
  for level in "${levels[@]}"; do
    # Equal levels (two A/A columns) are told apart by their position: the second column's runs are
    # numbered RUNS+1…2×RUNS, the third's 2×RUNS+1…, so `10 0 0 5` gives A/A runs 1–20 and +5% runs 1–10.
    copy=${copies[$level]:-0}
    copies[$level]=$(( copy + 1 ))
    key="$level,$(( run + copy * runs ))"
    if grep -q "^$key," "$out/results.csv"; then continue; fi
    extra=$(( p50 * level / 100 ))
    dir="$out/L$level-$run-$RANDOM"
    args=(ab "$scenario" --out "$dir" --budget "$budget" --seed "$RANDOM$run")
    [ "$extra" -eq 0 ] || args+=(--b-set "inject+={slow: $stage, extra: ${extra}ns}")
    status=0
    "$bin" "${args[@]}" > "$dir.txt" 2>&1 || status=$?
    [ "$status" -le 1 ] || { echo "power-table: gate run failed (exit $status), see $dir.txt" >&2; exit 2; }
    jq -r --arg key "$key" --arg extra "$extra" --arg status "$status" '
      ([.family[] | select(.primary) | .key][0] // "e2e.p50") as $primary
      | (.looks[-1].metrics[] | select(.key == $primary)) as $p
      | [$key, $extra, $status,
         (if ([.looks[-1].metrics[].verdict] | index("regressed")) then "regressed"
          elif ([.looks[-1].metrics[].verdict] | all(. == "within" or . == "improved")) then "pass" else "inconclusive" end),
         (.units | length / 2), (.seconds | floor), $primary, $p.change, ($p.mde_at_budget // "")] | @csv' "$dir/ab.json" \
      | tr -d '"' >> "$out/results.csv"
    tail -1 "$out/results.csv"
  done
done
