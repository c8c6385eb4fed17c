#!/usr/bin/env bash
# The gate's power table: how often `make bench`'s statistics and trial plan catch a known slowdown,
# and how often they cry wolf. One build serves every side; a slowed side gets a precise amount of
# extra busy work in one stage (the slow-stage injection), sized as a share of the measured e2e p50.
#
#   scripts/power-table.sh [ROUNDS] [AA_PAIRS] [LEVELS...]     e.g. scripts/power-table.sh 8 2 2 3 5 10
#   POWER_OUT=runs/power3 BENCH_ROUNDS=12 scripts/power-table.sh 8 2 2 3
#
# Each round yields one gate run per level and AA_PAIRS A/A gate runs. Its sides are one process a
# side per cycle, BENCH_ROUNDS cycles (make bench's 12 a side), the sides' order shuffled every cycle
# so no side always follows another: side A (the unchanged build), one side per level (A plus the
# extra work), and the A/A sides — pair 1 is A against a second unchanged side, further pairs are two
# more unchanged sides each. Every level's gate run compares its side with A exactly as make bench
# compares B with A (merge each side, `compare --threshold` with the gated metrics). Within a row of
# the table the gate runs are independent (one per round); across rows of one round they share A,
# which the table does not need to be independent. Sharing A saves a third of the machine time of
# separate A/B pairs (8 sides a round instead of 12 for four levels and two A/A pairs).
#
# Results: POWER_OUT/results.csv (one line per gate run) and POWER_OUT/table.md (each rate with its
# Wilson 95% interval; POWER_TABLE_SAMPLES=a,b tabulates only those samples). It resumes: a
# round's comparisons already in results.csv are not run again, so it can be run in parts and with
# fewer levels later (e.g. first `8 2 2 3 5 10` for five rounds, then `8 2 2 3`).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

rounds_wanted=${1:-10}
aa_pairs=${2:-2}
shift 2 || true
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(2 3 5 10)
for x in "$rounds_wanted" "$aa_pairs" "${levels[@]}"; do
  [[ "$x" =~ ^[0-9]+$ ]] || { echo "power-table: '$x' is not a whole number (usage: ROUNDS AA_PAIRS LEVELS...)" >&2; exit 2; }
done
cycles=${BENCH_ROUNDS:-12}
threshold=${BENCH_THRESHOLD:-5%}
gate=${BENCH_GATE:---gate e2e.p50 --gate e2e.p90 --gate e2e.p99 --gate throughput --gate memory.allocations_per_episode --gate phi.cache_hit_rate}
scenario=${BENCH_SCENARIO:-scenarios/bench.yaml}
stage=${POWER_STAGE:-ESGT}
out=${POWER_OUT:-runs/power}
bin=${PHIBENCH_BIN:-.build/release/phibench}
sample=${POWER_SAMPLE:-$(git rev-parse --short HEAD)}
mkdir -p "$out"
[ -x "$bin" ] || swift build -c release --product phibench

# The size of the extra work: a share of e2e p50 from a few plain trials of the scenario.
if [ ! -f "$out/e2e_p50_ns" ]; then
  "$bin" run "$scenario" --trials 5 --quiet --out "$out/reference" || [ $? -eq 1 ]
  python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["summary"]["metrics"]["e2e.p50"]))' \
    "$out/reference/result.json" > "$out/e2e_p50_ns"
fi
p50=$(cat "$out/e2e_p50_ns")
echo "power: e2e p50 of $scenario is ${p50} ns; $cycles processes a side per gate run"

header="level_pct,round,pair,extra_ns,exit,verdict,gated_regressions,e2e_p50_change,e2e_p50_mde,sample"
[ -f "$out/results.csv" ] || echo "$header" > "$out/results.csv"
done_already() { grep -q "^$1,$2,$3," "$out/results.csv"; }

compare_sides() { # dir level round pair a-side b-side
  local dir=$1 level=$2 round=$3 pair=$4 a=$5 b=$6 status=0
  # shellcheck disable=SC2086
  "$bin" compare "$dir/$a.json" "$dir/$b.json" --threshold "$threshold" $gate --format json \
    > "$dir/compare-$b.json" || status=$?
  [ "$status" -le 1 ] || { echo "power-table: compare $a $b failed (exit $status)" >&2; exit "$status"; }
  python3 - "$dir/compare-$b.json" "$level" "$round" "$pair" "$(( p50 * level / 100 ))" "$status" "$sample" \
    >> "$out/results.csv" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
e = {x["metric"]: x for x in c["metrics"]}.get("e2e.p50", {})
mde = (e.get("sensitivity") or {}).get("mde")
print(",".join(sys.argv[2:7] + [c["verdict"], "|".join(c["gated_regressions"]), f'{e.get("change", 0):.4f}',
               f'{mde:.4f}' if mde is not None else "", sys.argv[7]]))
EOF
  echo "power: round $round: level $level% pair $pair: exit $status (${a} vs ${b})"
}

run_round() { # round
  local round=$1 dir="$out/round-$1" sides=() pairs=() level j started side p a b
  # Which comparisons this round still owes, and so which sides it must run.
  for level in "${levels[@]}"; do
    [ "$level" -gt 0 ] || continue
    done_already "$level" "$round" 1 || sides+=("L$level")
  done
  for j in $(seq 1 "$aa_pairs"); do
    done_already 0 "$round" "$j" && continue
    if [ "$j" -eq 1 ]; then pairs+=("1:A:Z1"); sides+=("Z1"); else pairs+=("$j:Z${j}a:Z${j}b"); sides+=("Z${j}a" "Z${j}b"); fi
  done
  [ ${#sides[@]} -gt 0 ] || return 0
  sides=("A" "${sides[@]}")
  rm -rf "$dir"; mkdir -p "$dir"
  started=$(date +%s)
  for cycle in $(seq 1 "$cycles"); do
    for side in $(printf '%s\n' "${sides[@]}" | shuf --random-source=<(yes "$round-$cycle")); do
      local extra=0
      [[ "$side" != L* ]] || extra=$(( p50 * ${side#L} / 100 ))
      if [ "$extra" -gt 0 ]; then
        "$bin" run "$scenario" --quiet --out "$dir/$side-$cycle" --set "inject+={slow: $stage, extra: ${extra}ns}" || [ $? -eq 1 ]
      else
        "$bin" run "$scenario" --quiet --out "$dir/$side-$cycle" || [ $? -eq 1 ]
      fi
    done
  done
  for side in "${sides[@]}"; do
    "$bin" merge "$dir/$side"-*/result.json --out "$dir/$side.json" > /dev/null
    rm -rf "$dir/$side"-*/
  done
  for side in "${sides[@]}"; do
    if [[ "$side" == L* ]]; then compare_sides "$dir" "${side#L}" "$round" 1 A "$side"; fi
  done
  for p in ${pairs[@]+"${pairs[@]}"}; do
    IFS=: read -r j a b <<< "$p"
    compare_sides "$dir" 0 "$round" "$j" "$a" "$b"
  done
  echo "power: round $round took $(( $(date +%s) - started )) s for ${#sides[@]} sides"
}

for round in $(seq 1 "$rounds_wanted"); do run_round "$round"; done

python3 - "$out/results.csv" "$out/table.md" "$threshold" "$cycles" "${POWER_TABLE_SAMPLES:-}" <<'EOF'
import csv, sys, collections, math
rows = list(csv.DictReader(open(sys.argv[1])))
if sys.argv[5]:
    keep = set(sys.argv[5].split(","))
    unknown = keep - {r["sample"] for r in rows}
    if unknown:
        print(f"power-table: POWER_TABLE_SAMPLES names {', '.join(sorted(unknown))}, not in {sys.argv[1]} "
              f"(its samples: {', '.join(sorted({r['sample'] for r in rows}))})", file=sys.stderr)
        sys.exit(2)
    rows = [r for r in rows if r["sample"] in keep]
by = collections.defaultdict(list)
for r in rows: by[int(r["level_pct"])].append(r)
def wilson(k, n, z=1.96):
    # The Wilson score interval: a rate's 95% confidence interval that stays sensible at 0/n and n/n.
    if n == 0: return (float("nan"), float("nan"))
    p = k / n; d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d; h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))
def med(v):
    v = sorted(v); return v[len(v)//2] if v else float("nan")
lines = ["| added slowdown (share of e2e p50) | gate runs | gate failed (exit 1) | 95% CI of the rate | e2e.p50 flagged | median e2e.p50 change | median e2e.p50 MDE |",
         "|---|---:|---:|---:|---:|---:|---:|"]
for level in sorted(by):
    rs = by[level]
    failed = sum(r["exit"] == "1" for r in rs)
    flagged = sum("e2e.p50" in r["gated_regressions"].split("|") for r in rs)
    name = "none (A/A)" if level == 0 else f"{level}%"
    rate = "false alarms" if level == 0 else "detected"
    lo, hi = wilson(failed, len(rs))
    mdes = [float(r["e2e_p50_mde"]) for r in rs if r["e2e_p50_mde"]]
    lines.append(f"| {name} | {len(rs)} | {failed} ({100*failed/len(rs):.0f}% {rate}) | {100*lo:.0f}–{100*hi:.0f}% | {flagged} | "
                 f"{100*med([float(r['e2e_p50_change']) for r in rs]):+.1f}% | {100*med(mdes):.1f}% |")
samples = sorted({r["sample"] for r in rows})
open(sys.argv[2], "w").write("\n".join(lines) + f"\n\nthreshold {sys.argv[3]}, {sys.argv[4]} processes a side; samples {', '.join(samples)}\n")
print("\n".join(lines))
EOF
