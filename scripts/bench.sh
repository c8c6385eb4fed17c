#!/usr/bin/env bash
# make bench: the regression gate. By default a same-job A/B: the baseline commit is built and run
# interleaved with this tree on this machine (scripts/ab.sh → phibench ab: sequential, stopped as soon
# as the answer is clear, within BENCH_BUDGET), so the two sides share the machine's state and nothing
# recorded elsewhere is trusted. The baseline commit is, in order:
#   BASE_REF if set; the commit the committed baseline (BASELINE) was measured on; the merge base
#   with origin/main; HEAD~1 — the first that exists and is not HEAD itself.
# When none can be built, it falls back to comparing one run against the committed baseline and
# says so; compare then warns loudly about any machine mismatch and gates only what it can trust.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

scenario=${BENCH_SCENARIO:-scenarios/gate.yaml}
instr_scenario=${INSTR_SCENARIO:-scenarios/bench.yaml}
baseline=${BASELINE:-reports/baselines/bench.json}
out=${BENCH_OUT:-runs/bench}
export THRESHOLD=${BENCH_THRESHOLD:-5%}
export ALPHA=${BENCH_ALPHA:-1%}
export BUDGET=${BENCH_BUDGET:-5m}
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

# The committed calibration serves the fallback compare below; the A/B measures its own noise.
calibration=""
[ ! -f reports/baselines/calibration.json ] || calibration=reports/baselines/calibration.json

# The instruction-count gate (on by default): both builds counted under callgrind, exact, so it has no
# noise to hide in. BENCH_INSTRUCTIONS=1 requires it (missing valgrind is an error), 0 turns it off,
# auto (the default) runs it where valgrind is installed and says loudly when it cannot.
instructions=${BENCH_INSTRUCTIONS:-auto}
case "$instructions" in
  0|1|auto) ;;
  *) echo "bench: BENCH_INSTRUCTIONS must be 0, 1 or auto, got '$instructions'" >&2; exit 2 ;;
esac
instr_threshold=${INSTR_THRESHOLD:-1%}
cycles_threshold=${INSTR_CYCLES_THRESHOLD:-2%}
instr_episodes=${INSTR_EPISODES:-2000}
instr_warmup=${INSTR_WARMUP:-1000}

# Counts instructions per episode of side A and side B (same scenario file per side as ab.sh, run
# directories of equal path length, since the path is an input of the count) and gates B against A.
instruction_gate() { # A-binary A-scenario B-binary B-scenario
  if [ "$instructions" = 0 ]; then echo "bench: instruction-count gate off (BENCH_INSTRUCTIONS=0)"; return 0; fi
  if ! command -v valgrind >/dev/null; then
    echo "bench: instruction-count gate SKIPPED: valgrind is not installed (make deps installs it)" >&2
    [ "$instructions" = auto ] && return 0 || return 2
  fi
  # An older build answers `instructions --help` with its own help and exit 0: look in its list of
  # subcommands instead.
  if ! "$1" --help 2>/dev/null | grep -q '^ *instructions '; then
    echo "bench: instruction-count gate SKIPPED: the baseline build predates 'phibench instructions' (refresh it with make baseline)" >&2
    [ "$instructions" = auto ] && return 0 || return 2
  fi
  echo "bench: instruction counts under callgrind, $instr_episodes episodes after $instr_warmup, threshold $instr_threshold (estimated cycles $cycles_threshold)"
  "$1" instructions "$2" --episodes "$instr_episodes" --warmup "$instr_warmup" --out "$out/instr-A" >/dev/null || return 2
  "$3" instructions "$4" --episodes "$instr_episodes" --warmup "$instr_warmup" --out "$out/instr-B" \
    --compare "$out/instr-A/instructions.json" --threshold "$instr_threshold" --cycles-threshold "$cycles_threshold" \
    --markdown "$out/instructions-compare.md" | tee "$out/instructions-compare.txt"
  return "${PIPESTATUS[0]}"
}

# What else the machine is doing: a gate measured beside a busy neighbour says so in its log.
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg); busiest other processes (%CPU since start):"
ps -eo pcpu=,etimes=,comm= --sort=-pcpu 2>/dev/null | awk '$1 > 1.0 && $2 > 5 { printf "  %5.1f%% %s\n", $1, $3 }' | head -5 || true

if [ -n "$base" ]; then
  echo "bench: same-job A/B, baseline ${base:0:12} ($why) vs HEAD ${head:0:12}, budget $BUDGET"
  if OUT="$out" ./scripts/ab.sh "$base" "$scenario"; then status=0; else status=$?; fi
  result="$out/B.json"
  bin=.ab/B-phibench
  a_scenario=.ab/worktree/$instr_scenario
  [ -f "$a_scenario" ] || a_scenario=$instr_scenario
  if instruction_gate .ab/A-phibench "$a_scenario" .ab/B-phibench "$instr_scenario"; then instr_status=0; else instr_status=$?; fi
  # A wall-clock regression: keep a sampling profile of each side (A, then B, same scenario files as
  # the A/B) and draw them against each other, per episode, in profile-compare/compare.html. Costs
  # two runs of the gate scenario, only when the gate failed; BENCH_PROFILE_ON_FAILURE=0 skips it.
  if [ "$status" = 1 ] && [ "${BENCH_PROFILE_ON_FAILURE:-1}" != 0 ]; then
    gate_a=.ab/worktree/$scenario
    [ -f "$gate_a" ] || gate_a=$scenario
    echo "bench: the wall-clock gate failed: profiling each side once for a differential flame graph"
    if .ab/A-phibench profile "$gate_a" --out "$out/profile-A" --quiet && .ab/B-phibench profile "$scenario" --out "$out/profile-B" --quiet; then
      .ab/B-phibench compare "$out/profile-A/result.json" "$out/profile-B/result.json" --out "$out/profile-compare" >/dev/null || true
      [ -f "$out/profile-compare/diff-flame.svg" ] && echo "bench: where the time went: $out/profile-compare/compare.html (diff-flame.svg)"
    else
      echo "bench: could not profile both sides (an older build without 'phibench profile'?); no differential flame graph" >&2
    fi
  fi
  # The worse of the two gates: 2 (could not measure) over 1 (regression) over 0.
  [ "$instr_status" -le "$status" ] || status=$instr_status
else
  echo "bench: WARNING: no baseline commit to build (no history?); comparing with the committed $baseline, measured at another time" >&2
  "$bin" run "$instr_scenario" --trials "${BENCH_TRIALS:-5}" --out "$out/run" --quiet || [ $? -eq 1 ]
  args=(compare "$baseline" "$out/run/result.json" --threshold "$THRESHOLD" --out "$out/compare")
  [ -z "$calibration" ] || args+=(--calibration "$calibration")
  # shellcheck disable=SC2206
  [ -z "$GATE" ] || args+=($GATE)
  if "$bin" "${args[@]}"; then status=0; else status=$?; fi
  result="$out/run/result.json"
fi

# bench.md: the verdict for a pull request or a job summary (the A/B's table, then the instruction gate).
if [ -f "$out/ab.md" ]; then
  {
    echo "## phibench make bench: $([ "$status" = 0 ] && echo pass || { [ "$status" = 1 ] && echo REGRESSION || echo 'could not measure'; })"
    echo
    cat "$out/ab.md"
    if [ -f "$out/instructions-compare.md" ]; then
      echo
      cat "$out/instructions-compare.md"
    elif [ -f "$out/instructions-compare.txt" ]; then
      printf '\n### Instruction counts (callgrind, exact)\n\n```\n'
      sed -n '/^instructions per episode (threshold/,$p' "$out/instructions-compare.txt"
      printf '```\n'
    fi
    printf '\nFull table: `%s/compare/compare.html`; design and every process: `%s/ab.json`.\n' "$out" "$out"
    [ ! -f "$out/instr-B/instructions-compare.html" ] \
      || printf 'Instruction counts, top changed functions and their differential flame graph: `%s/instr-B/instructions-compare.html`.\n' "$out"
    [ ! -f "$out/profile-compare/diff-flame.svg" ] \
      || printf 'Where the wall time went (sampling profiles of both sides, per episode): `%s/profile-compare/compare.html`.\n' "$out"
  } > "$out/bench.md"
  # A GitHub comment holds 65,536 characters: the parts keep themselves under 60,000 each, and the
  # whole is cut at a line boundary if it still is not (saying so at the end).
  python3 - "$out/bench.md" "$out" <<'PY'
import sys
path, out = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
if len(text) > 60000:
    cut = text[:59000].rsplit("\n", 1)[0]
    open(path, "w", encoding="utf-8").write(cut + "\n\n_Cut at 59,000 characters to fit a pull-request comment; the full tables: `" + out + "/compare/compare.html`, `" + out + "/instr-B/instructions-compare.html`._\n")
PY
  echo "bench: $out/bench.md written ($(wc -c < "$out/bench.md") bytes)"
fi

# The verdicts last, so the tail of a CI log says which gate decided and why.
if [ -f "$out/ab.md" ]; then
  echo "bench: wall-clock gate: $(grep -m1 '^### ' "$out/ab.md" | sed 's/^### //')"
fi
if [ -f "$out/instructions-compare.txt" ]; then
  echo "bench: instruction gate: $(grep -m1 '^verdict:' "$out/instructions-compare.txt" | sed 's/^verdict: //')"
fi
echo "bench: exit $status ($([ "$status" = 0 ] && echo pass || { [ "$status" = 1 ] && echo 'a regression' || echo 'could not measure'; }))"

if [ -n "${HISTORY_DB:-}" ] && [ "$status" -le 1 ]; then
  "$bin" history add "$result" --db "$HISTORY_DB" || echo "bench: could not add the result to the history $HISTORY_DB" >&2
fi
exit "$status"
