#!/usr/bin/env bash
# Same-job A/B: REF (before, "A") against the working tree (after, "B") on this machine, in one go.
# Builds REF from a worktree under .ab/, then runs the two builds interleaved A B A B …, one trial per
# process, so drift and noise on a shared machine hit both sides alike; each side's runs are merged
# by its own binary, and the working tree's binary compares them.
#
#   scripts/ab.sh REF [SCENARIO] [ROUNDS]        e.g. scripts/ab.sh main scenarios/bench.yaml 12
#   THRESHOLD=10% GATE="--gate e2e.p50" scripts/ab.sh HEAD~3
#
# Each side runs its own copy of SCENARIO (REF's file for A, the working tree's for B): an older build
# may not know a newer scenario key. REF is built with the working tree's build folder (.build) as its
# scratch path, so only phibench's own modules are recompiled, not its dependencies; the working
# tree's binary is copied aside first, and .build holds REF's build afterwards (the next `make build`
# rebuilds the working tree's modules).
set -euo pipefail

ref=${1:?usage: scripts/ab.sh REF [SCENARIO] [ROUNDS]}
scenario=${2:-scenarios/bench.yaml}
rounds=${3:-5}
threshold=${THRESHOLD:-5%}
gate=${GATE:-}
calibration=${CALIBRATION:-}
out=${OUT:-runs/ab-$(date -u +%Y%m%d-%H%M%S)}
root=$(git rev-parse --show-toplevel)
cd "$root"

commit=$(git rev-parse --verify --quiet "$ref^{commit}") || { echo "ab.sh: '$ref' is not a commit here" >&2; exit 2; }
head=$(git rev-parse HEAD)
dirty=0
[ -z "$(git status --porcelain --untracked-files=no)" ] || dirty=1

mkdir -p "$out" .ab
echo "ab.sh: B = working tree ($(git rev-parse --short HEAD)$([ $dirty = 1 ] && echo '+dirty'))"
# --disable-build-manifest-caching on both builds: the two share one build folder, and with a cached
# build manifest SwiftPM took the REF build for up to date and handed back the working tree's binary
# (seen on a clean clone: A and B byte-identical, an A/A pair reported as an A/B).
swift build -c release --product phibench --disable-build-manifest-caching
cp .build/release/phibench .ab/B-phibench

worktree="$root/.ab/worktree"
if [ -d "$worktree" ]; then
  git -C "$worktree" checkout --quiet --force --detach "$commit"
else
  git worktree add --quiet --force --detach "$worktree" "$commit"
fi
# What the build reads is Package.swift and Sources/. When REF has the same (and the working tree adds
# no untracked source), its build is this one: an A/A run, and no second build is needed.
if git diff --quiet "$commit" -- Package.swift Sources && [ -z "$(git ls-files --others --exclude-standard -- Package.swift Sources)" ]; then
  echo "ab.sh: A = $ref (${commit:0:12}) has the working tree's sources: its build is the same, so this is an A/A run (not rebuilt)"
  cp .ab/B-phibench .ab/A-phibench
else
  echo "ab.sh: A = $ref (${commit:0:12}), built in $worktree"
  swift build -c release --product phibench --package-path "$worktree" --scratch-path "$root/.build" --disable-build-manifest-caching
  cp .build/release/phibench .ab/A-phibench
  # Different sources must give different builds; byte-identical ones mean the build went wrong (an
  # A/B that silently measured one binary twice): refuse.
  if cmp -s .ab/A-phibench .ab/B-phibench; then
    echo "ab.sh: the build of $ref is byte-identical to the working tree's although their sources differ; refusing to report one binary as an A/B" >&2
    exit 2
  fi
fi
A="$root/.ab/A-phibench"
B="$root/.ab/B-phibench"
A_scenario="$worktree/$scenario"
[ -f "$A_scenario" ] || { echo "ab.sh: $ref has no $scenario; A runs the working tree's" >&2; A_scenario="$scenario"; }

run_side() { # side binary commit dirty scenario dir
  PHIBENCH_COMMIT="$3" PHIBENCH_DIRTY="$4" "$2" run "$5" --quiet --out "$6" || [ $? -eq 1 ]
}
started=$(date +%s)
for i in $(seq 1 "$rounds"); do
  echo "ab.sh: round $i/$rounds"
  run_side A "$A" "$commit" 0 "$A_scenario" "$out/A-$i"
  run_side B "$B" "$head" "$dirty" "$scenario" "$out/B-$i"
done
echo "ab.sh: measured for $(( $(date +%s) - started )) s"

a_files=() b_files=()
for i in $(seq 1 "$rounds"); do a_files+=("$out/A-$i/result.json"); b_files+=("$out/B-$i/result.json"); done
"$A" merge "${a_files[@]}" --out "$out/A.json"
"$B" merge "${b_files[@]}" --out "$out/B.json"
args=(compare "$out/A.json" "$out/B.json" --threshold "$threshold" --out "$out/compare")
[ -z "$calibration" ] || args+=(--calibration "$calibration")
# shellcheck disable=SC2206
[ -z "$gate" ] || args+=($gate)
"$B" "${args[@]}"
