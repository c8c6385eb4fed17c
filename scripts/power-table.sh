#!/usr/bin/env bash
# The gate's power table: how often `make bench`'s statistics and trial plan catch a known slowdown,
# and how often they cry wolf. One build serves both sides; side B gets a precise amount of extra
# busy work in one stage (the slow-stage injection), sized as a share of the measured e2e p50.
#
#   scripts/power-table.sh [REPS] [AA_PAIRS] [LEVELS...]     e.g. scripts/power-table.sh 10 20 2 3 5 10
#   POWER_OUT=runs/power BENCH_ROUNDS=12 scripts/power-table.sh 10 20
#
# Each repetition is one gate run: BENCH_ROUNDS rounds of A then B (one trial per process, as
# scripts/ab.sh does), each side merged, compared with BENCH_THRESHOLD and BENCH_GATE. Results go to
# POWER_OUT/results.csv (one line per gate run) and POWER_OUT/table.md. It resumes: gate runs already
# in results.csv are not run again, so it can be run in parts.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

reps=${1:-10}
aa=${2:-20}
shift 2 || true
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(2 3 5 10)
rounds=${BENCH_ROUNDS:-12}
threshold=${BENCH_THRESHOLD:-5%}
gate=${BENCH_GATE:---gate e2e.p50 --gate e2e.p90 --gate e2e.p99 --gate throughput --gate memory.allocations_per_episode --gate phi.cache_hit_rate}
scenario=${BENCH_SCENARIO:-scenarios/bench.yaml}
stage=${POWER_STAGE:-ESGT}
out=${POWER_OUT:-runs/power}
bin=${PHIBENCH_BIN:-.build/release/phibench}
mkdir -p "$out"
[ -x "$bin" ] || swift build -c release --product phibench

# The size of the extra work: a share of e2e p50 from a few plain trials of the scenario.
if [ ! -f "$out/e2e_p50_ns" ]; then
  "$bin" run "$scenario" --trials 5 --quiet --out "$out/reference" || [ $? -eq 1 ]
  python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["summary"]["metrics"]["e2e.p50"]))' \
    "$out/reference/result.json" > "$out/e2e_p50_ns"
fi
p50=$(cat "$out/e2e_p50_ns")
echo "power: e2e p50 of $scenario is ${p50} ns; each gate run is $rounds rounds a side"

[ -f "$out/results.csv" ] || echo "level_pct,rep,extra_ns,exit,verdict,gated_regressions,e2e_p50_change,e2e_p50_mde,seconds" > "$out/results.csv"

gate_run() { # level rep
  local level=$1 rep=$2 dir="$out/L$1-R$2"
  if grep -q "^$level,$rep," "$out/results.csv"; then return; fi
  local extra=$(( p50 * level / 100 ))
  rm -rf "$dir"
  mkdir -p "$dir"
  local started a_files=() b_files=()
  started=$(date +%s)
  for i in $(seq 1 "$rounds"); do
    "$bin" run "$scenario" --quiet --out "$dir/A-$i" || [ $? -eq 1 ]
    if [ "$extra" -gt 0 ]; then
      "$bin" run "$scenario" --quiet --out "$dir/B-$i" --set "inject+={slow: $stage, extra: ${extra}ns}" || [ $? -eq 1 ]
    else
      "$bin" run "$scenario" --quiet --out "$dir/B-$i" || [ $? -eq 1 ]
    fi
    a_files+=("$dir/A-$i/result.json")
    b_files+=("$dir/B-$i/result.json")
  done
  "$bin" merge "${a_files[@]}" --out "$dir/A.json" > /dev/null
  "$bin" merge "${b_files[@]}" --out "$dir/B.json" > /dev/null
  local status=0
  # shellcheck disable=SC2086
  "$bin" compare "$dir/A.json" "$dir/B.json" --threshold "$threshold" $gate --format json > "$dir/compare.json" || status=$?
  python3 - "$dir/compare.json" "$level" "$rep" "$extra" "$status" "$(( $(date +%s) - started ))" >> "$out/results.csv" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
m = {x["metric"]: x for x in c["metrics"]}
e = m.get("e2e.p50", {})
mde = (e.get("sensitivity") or {}).get("mde")
print(",".join([sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], c["verdict"], "|".join(c["gated_regressions"]),
                f'{e.get("change", 0):.4f}', f'{mde:.4f}' if mde is not None else "", sys.argv[6]]))
EOF
  rm -rf "$dir"/A-* "$dir"/B-*
  echo "power: level $level% rep $rep: exit $status"
}

# Interleave the levels so slow drift of the machine hits every level alike.
for rep in $(seq 1 "$(( aa > reps ? aa : reps ))"); do
  [ "$rep" -gt "$aa" ] || gate_run 0 "$rep"
  if [ "$rep" -le "$reps" ]; then
    for level in "${levels[@]}"; do gate_run "$level" "$rep"; done
  fi
done

python3 - "$out/results.csv" "$out/table.md" "$threshold" "$rounds" <<'EOF'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.defaultdict(list)
for r in rows: by[int(r["level_pct"])].append(r)
lines = ["| added slowdown (share of e2e p50) | gate runs | gate failed (exit 1) | e2e.p50 flagged | median e2e.p50 change | median e2e.p50 MDE |",
         "|---|---|---|---|---|---|"]
def med(v):
    v = sorted(v); return v[len(v)//2] if v else float("nan")
for level in sorted(by):
    rs = by[level]
    failed = sum(r["exit"] == "1" for r in rs)
    flagged = sum("e2e.p50" in r["gated_regressions"].split("|") for r in rs)
    name = "none (A/A)" if level == 0 else f"{level}%"
    rate = "false alarms" if level == 0 else "detected"
    mdes = [float(r["e2e_p50_mde"]) for r in rs if r["e2e_p50_mde"]]
    lines.append(f"| {name} | {len(rs)} | {failed} ({100*failed/len(rs):.0f}% {rate}) | {flagged} | "
                 f"{100*med([float(r['e2e_p50_change']) for r in rs]):+.1f}% | {100*med(mdes):.1f}% |")
open(sys.argv[2], "w").write("\n".join(lines) + f"\n\nthreshold {sys.argv[3]}, {sys.argv[4]} rounds a side\n")
print("\n".join(lines))
EOF
