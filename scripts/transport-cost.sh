#!/usr/bin/env bash
# The process transport's own cost: p50/p99 of `transport` (service − Σ stages) with the C no-op
# worker, back to back (closed, c=1) and open loop at 1000/s, repeated ROUNDS times.
#   scripts/transport-cost.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
# SCRATCH: another build folder (swift build --scratch-path), e.g. to keep .build warm.
scratch=${SCRATCH:-.build}
swift build -c release --product phibench --scratch-path "$scratch" >/dev/null
swift build -c release --product phibench-noop-worker --scratch-path "$scratch" >/dev/null
bin=$scratch/release/phibench
worker=$(cd "$scratch/release" && pwd)/phibench-noop-worker
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores)"
printf '%-6s %-22s %12s %12s %12s %12s\n' round phase episodes/s "transport p50" "transport p99" "e2e p50"
for i in $(seq 1 "$rounds"); do
  out=runs/transport-$i
  "$bin" run examples/transport.yaml --quiet --out "$out" --set "workload.process=[$worker]"
  python3 - "$out/result.json" "$i" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["phases"]:
    m = p["metrics"]
    print(f'{sys.argv[2]:<6} {p["label"]:<22} {m["throughput"]:12.0f} {m["transport.p50"]/1000:10.1f}µs {m["transport.p99"]/1000:10.1f}µs {m["e2e.p50"]/1000:10.1f}µs')
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
