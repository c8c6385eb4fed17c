#!/usr/bin/env bash
# The README's "Open-loop precision" table: the harness's own lateness (actual start − intended
# start) and the process's CPU use with the no-op workload, with and without the spin window.
#
#   scripts/lateness-table.sh                    # 50/s, 1,000/s, 20,000/s × spin 0 and default, 3 runs each
#   RATES="50 1000" SPINS="0 5us 20us 50us" REPEATS=5 scripts/lateness-table.sh     # a sweep
#   SMOKE=1 scripts/lateness-table.sh            # also the smoke scenario's e2e p50 at 50/s per spin
#   PHIBENCH=old/phibench RATES= SPINS=default SMOKE=1 scripts/lateness-table.sh   # smoke only, another build
#
# Each point is one `phibench run --workload noop` of a DURATION constant phase (default 5s, no
# warm-up); the table gives the median over REPEATS and the min–max spread. Run it on a quiet
# machine: the load average is printed before and after, and lateness on a busy VM is mostly the
# host's scheduling. Needs jq and a release build (PHIBENCH, default .build/release/phibench).
set -euo pipefail
cd "$(dirname "$0")/.."

PHIBENCH=${PHIBENCH:-.build/release/phibench}
RATES=${RATES-"50 1000 20000"}
SPINS=${SPINS:-"0 default"}
REPEATS=${REPEATS:-3}
DURATION=${DURATION:-5s}
ARRIVALS=${ARRIVALS:-uniform}
SMOKE=${SMOKE:-0}

command -v jq >/dev/null || { echo "lateness-table: needs jq (apt-get install -y jq)" >&2; exit 2; }
[ -x "$PHIBENCH" ] || { echo "lateness-table: no $PHIBENCH; run make build first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Median and min–max of numbers on stdin, scaled by $1 and printed with $2 decimals.
stats() {
    sort -g | awk -v scale="$1" -v digits="$2" '
        { v[NR] = $1 * scale }
        END {
            if (NR == 0) { print "–"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            f = "%." digits "f"
            printf(f " (" f "–" f ")\n", m, v[1], v[NR])
        }'
}

spin_args() {
    if [ "$1" = default ]; then echo ""; else echo "--set spin=$1"; fi
}

echo "# Open-loop precision ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "No-op workload, one constant phase of $DURATION, arrivals $ARRIVALS; median (min–max) of $REPEATS runs."
echo
echo "| rate | spin | lateness p50 µs | lateness p99 µs | e2e p50 µs | CPU % of one core | spin CPU % | gap check |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|"
for rate in $RATES; do
    cat >"$work/noop-$rate.yaml" <<EOF
name: noop-$rate
seed: 1
$([ "$ARRIVALS" = uniform ] || echo "arrivals: $ARRIVALS")
phases:
  - { kind: constant, rate: $rate, duration: $DURATION }
EOF
    for spin in $SPINS; do
        : >"$work/p50"; : >"$work/p99"; : >"$work/e2e"; : >"$work/cpu"; : >"$work/spin"; : >"$work/check"
        for i in $(seq "$REPEATS"); do
            out="$work/run-$rate-$spin-$i"
            # shellcheck disable=SC2046
            "$PHIBENCH" run "$work/noop-$rate.yaml" --workload noop --quiet --out "$out" $(spin_args "$spin") >/dev/null
            r="$out/result.json"
            jq -r '.summary.metrics["lateness.p50"] // .summary.latency_ns.lateness.p50' "$r" >>"$work/p50"
            jq -r '.summary.metrics["lateness.p99"] // .summary.latency_ns.lateness.p99' "$r" >>"$work/p99"
            jq -r '.summary.metrics["e2e.p50"] // .summary.latency_ns.e2e.p50' "$r" >>"$work/e2e"
            jq -r '.summary.metrics["cpu.utilization"] // .summary.cpu.utilization' "$r" >>"$work/cpu"
            # The driver's spin counter as cores busy spinning (schema v2: cpu.spin; the open-loop
            # branch's results: spin_ns of the phase).
            jq -r '.summary.metrics["cpu.spin"] // ((.phases[0].spin_ns // empty) / (.duration_s * 1e9))' "$r" >>"$work/spin"
            jq -r '.phases[0].arrival_check.verdict // empty' "$r" >>"$work/check"
        done
        label=$spin
        [ "$spin" = default ] && label="default"
        checks=$(sort "$work/check" | uniq -c | awk '{ printf("%s%s×%s", NR > 1 ? " " : "", $1, $2) }')
        printf '| %s/s | %s | %s | %s | %s | %s | %s | %s |\n' "$rate" "$label" \
            "$(stats 0.001 2 <"$work/p50")" "$(stats 0.001 1 <"$work/p99")" "$(stats 0.001 1 <"$work/e2e")" \
            "$(stats 100 1 <"$work/cpu")" "$(stats 100 1 <"$work/spin")" "${checks:-–}"
    done
done

if [ "$SMOKE" = 1 ]; then
    echo
    echo "scenarios/smoke.yaml, phase 1 (constant 50/s, pipeline): e2e p50 µs, median (min–max) of $REPEATS runs."
    echo
    echo "| spin | e2e p50 µs | lateness p50 µs | service p50 µs |"
    echo "|---:|---:|---:|---:|"
    for spin in $SPINS; do
        : >"$work/e2e"; : >"$work/late"; : >"$work/svc"
        for i in $(seq "$REPEATS"); do
            out="$work/smoke-$spin-$i"
            # shellcheck disable=SC2046
            "$PHIBENCH" run scenarios/smoke.yaml --quiet --out "$out" $(spin_args "$spin") >/dev/null || true
            r="$out/result.json"
            jq -r '.phases[0].metrics["e2e.p50"] // .phases[0].latency_ns.e2e.p50' "$r" >>"$work/e2e"
            jq -r '.phases[0].metrics["lateness.p50"] // .phases[0].latency_ns.lateness.p50 // empty' "$r" >>"$work/late"
            jq -r '.phases[0].metrics["service.p50"] // .phases[0].latency_ns.service.p50' "$r" >>"$work/svc"
        done
        printf '| %s | %s | %s | %s |\n' "$spin" "$(stats 0.001 1 <"$work/e2e")" "$(stats 0.001 1 <"$work/late")" "$(stats 0.001 1 <"$work/svc")"
    done
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
