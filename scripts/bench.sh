#!/usr/bin/env bash
# make bench: the regression gate. By default a same-job A/B: the baseline commit is built and run
# interleaved with this tree on this machine (scripts/ab.sh), so the two sides share the machine's
# state and nothing recorded elsewhere is trusted. The baseline commit is, in order:
#   BASE_REF if set; the commit the committed baseline (BASELINE) was measured on; the merge base
#   with origin/main; HEAD~1 — the first that exists and is not HEAD itself.
# When none can be built, it falls back to comparing one run against the committed baseline and
# says so; compare then warns loudly about any machine mismatch and gates only what it can trust.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

scenario=${BENCH_SCENARIO:-scenarios/bench.yaml}
baseline=${BASELINE:-reports/baselines/bench.json}
rounds=${BENCH_ROUNDS:-12}
out=${BENCH_OUT:-runs/bench}
export THRESHOLD=${BENCH_THRESHOLD:-5%}
export GATE=${BENCH_GATE:-}
bin=.build/release/phibench
rm -rf "$out"
mkdir -p "$out"

head=$(git rev-parse HEAD)
candidates=()
[ -z "${BASE_REF:-}" ] || candidates+=("$BASE_REF")
if [ -f "$baseline" ]; then
  recorded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build"]["commit"])' "$baseline" 2>/dev/null || true)
  [ -z "$recorded" ] || candidates+=("$recorded")
fi
mb=$(git merge-base HEAD origin/main 2>/dev/null || true)
[ -z "$mb" ] || candidates+=("$mb")
candidates+=("HEAD~1")

base=""
for c in "${candidates[@]}"; do
  sha=$(git rev-parse --verify --quiet "$c^{commit}" 2>/dev/null || true)
  if [ -n "$sha" ] && [ "$sha" != "$head" ]; then base=$sha; why=$c; break; fi
  echo "bench: baseline candidate '$c' is $([ -z "$sha" ] && echo 'not a commit here' || echo 'HEAD itself'); trying the next" >&2
done

[ ! -f reports/baselines/calibration.json ] || export CALIBRATION=reports/baselines/calibration.json

if [ -n "$base" ]; then
  echo "bench: same-job A/B, baseline ${base:0:12} ($why) vs HEAD ${head:0:12}, $rounds rounds"
  if OUT="$out" ./scripts/ab.sh "$base" "$scenario" "$rounds"; then status=0; else status=$?; fi
  result="$out/B.json"
  bin=.ab/B-phibench
else
  echo "bench: WARNING: no baseline commit to build (no history?); comparing with the committed $baseline, measured at another time" >&2
  "$bin" run "$scenario" --trials "${BENCH_TRIALS:-5}" --out "$out/run" --quiet || [ $? -eq 1 ]
  args=(compare "$baseline" "$out/run/result.json" --threshold "$THRESHOLD" --out "$out/compare")
  [ -z "${CALIBRATION:-}" ] || args+=(--calibration "$CALIBRATION")
  # shellcheck disable=SC2206
  [ -z "$GATE" ] || args+=($GATE)
  if "$bin" "${args[@]}"; then status=0; else status=$?; fi
  result="$out/run/result.json"
fi

if [ -n "${HISTORY_DB:-}" ] && [ "$status" -le 1 ]; then
  "$bin" history add "$result" --db "$HISTORY_DB" || echo "bench: could not add the result to the history $HISTORY_DB" >&2
fi
exit "$status"
