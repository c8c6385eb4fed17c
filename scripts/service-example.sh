#!/usr/bin/env bash
# The HTTP example end to end: starts examples/service.py on a free loopback port, runs
# examples/service.yaml against it, stops the service.   scripts/service-example.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/examples/service}
bin=${PHIBENCH:-.build/release/phibench}
log=$(mktemp)
python3 examples/service.py --port 0 > "$log" &
svc=$!
trap 'kill $svc 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$log")
[ -n "$base" ] || { echo "service-example: the service did not start" >&2; exit 2; }
"$bin" run examples/service.yaml --set "workload.http.url=$base/episode" --out "$out"
