#!/usr/bin/env bash
# phibench's HTTP workload next to wrk on the same loopback service and connection count:
# closed-loop throughput and latency, ROUNDS alternating rounds of SECONDS each.
#   scripts/http-vs-wrk.sh [CONNECTIONS] [ROUNDS] [SECONDS] [URL]
# Without URL it starts examples/service.py on a free port and uses its /noop route.
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-4}; rounds=${2:-3}; secs=${3:-10}; url=${4:-}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/install-deps.sh)" >&2; exit 2; }
# SCRATCH: another build folder (swift build --scratch-path), e.g. to keep .build warm.
scratch=${SCRATCH:-.build}
swift build -c release --product phibench --scratch-path "$scratch" >/dev/null
bin=$scratch/release/phibench
if [ -z "$url" ]; then
  python3 examples/service.py --port 0 > /tmp/phibench-service.$$ &
  svc=$!
  trap 'kill $svc' EXIT
  for _ in $(seq 50); do grep -q listening /tmp/phibench-service.$$ && break; sleep 0.1; done
  url="$(sed -n 's/^listening on //p' /tmp/phibench-service.$$)/noop"
fi
echo "service $url, $conns connections, ${secs}s per round; load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
printf '%-6s %-9s %12s %10s %10s\n' round tool "requests/s" p50 p99
for i in $(seq 1 "$rounds"); do
  wrk -t1 -c"$conns" -d"${secs}s" --latency "$url" > /tmp/wrk.$$
  python3 - "$i" /tmp/wrk.$$ <<'PY'
import re, sys
text = open(sys.argv[2]).read()
def ms(v):
    n, unit = float(re.match(r"[\d.]+", v).group()), re.sub(r"[\d.]+", "", v)
    return n * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)); p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
print(f"{sys.argv[1]:<6} {'wrk':<9} {rps:12.0f} {p50:8.3f}ms {p99:8.3f}ms")
PY
  out=runs/http-vs-wrk-$i
  "$bin" run examples/http-closed.yaml --quiet --out "$out" \
    --set "workload.http.url=$url" --set "workload.connections=$conns" \
    --set "phases=[{kind: closed, concurrency: [$conns], each: ${secs}s}]"
  python3 - "$i" "$out/result.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[2]))["summary"]["metrics"]
print(f"{sys.argv[1]:<6} {'phibench':<9} {m['throughput']:12.0f} {m['e2e.p50']/1e6:8.3f}ms {m['e2e.p99']/1e6:8.3f}ms"
      f"   (transport p50 {m['transport.p50']/1e3:.0f}µs, bridge mean {m.get('http.bridge_ns', 0)/1e3:.1f}µs, errors {m['errors']:.0f})")
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
