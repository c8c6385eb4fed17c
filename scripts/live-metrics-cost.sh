#!/usr/bin/env bash
# What --metrics-listen costs: runs SCENARIO (default scenarios/bench.yaml) ROUNDS times (default 3)
# in four interleaved arms — no endpoint; endpoint, never scraped; scraped every 1 s; every 100 ms —
# and prints each phase's throughput and e2e p50/p99 per arm (median over rounds).
# Usage: scripts/live-metrics-cost.sh [SCENARIO] [ROUNDS]   (needs curl and jq; uses port 19464)
set -euo pipefail
scenario=${1:-scenarios/bench.yaml}
rounds=${2:-3}
bin=${PHIBENCH_BIN:-.build/release/phibench}
out=$(mktemp -d /tmp/phibench-lmc.XXXXXX)
port=19464
echo "# $(uptime)"
for r in $(seq 1 "$rounds"); do
  for arm in ${ARMS:-off listen 1s 100ms}; do
    args=()
    [ "$arm" != off ] && args=(--metrics-listen "127.0.0.1:$port")
    "$bin" run "$scenario" --quiet --out "$out/$arm-$r" "${args[@]}" >/dev/null 2>"$out/$arm-$r.err" &
    pid=$!
    if [ "$arm" = 1s ] || [ "$arm" = 100ms ]; then
      period=1; [ "$arm" = 100ms ] && period=0.1
      while kill -0 "$pid" 2>/dev/null; do
        curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/metrics" || true
        sleep "$period"
      done
    fi
    wait "$pid"
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
print(f"| arm | phase | throughput (/s) | e2e p50 (µs) | e2e p99 (µs) |   (median of {rounds} rounds; min–max)")
print("|---|---|---|---|---|")
for arm in ["off", "listen", "1s", "100ms"]:
    runs = [json.load(open(f"{out}/{arm}-{r}/result.json")) for r in range(1, rounds + 1)]
    for ph in range(len(runs[0]["phases"])):
        col = lambda k, f=1: [r["phases"][ph]["metrics"][k] / f for r in runs]
        def cell(v, fmt): return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}–{fmt.format(max(v))})"
        print(f"| {arm} | {runs[0]['phases'][ph]['label']} | {cell(col('throughput'), '{:.0f}')} | "
              f"{cell(col('e2e.p50', 1000), '{:.1f}')} | {cell(col('e2e.p99', 1000), '{:.0f}')} |")
PY
echo "# $(uptime)"
echo "# runs in $out"
