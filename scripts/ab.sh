#!/usr/bin/env bash
# Same-job A/B: REF (before, "A") against the working tree (after, "B") on this machine, in one go.
# Builds REF from a worktree under .ab/, then hands both binaries to `phibench ab` (the one A/B loop:
# interleaved processes in random order, sequential looks, a time budget).
#
#   scripts/ab.sh REF [SCENARIO]        e.g. scripts/ab.sh main scenarios/gate.yaml
#   THRESHOLD=10% BUDGET=3m GATE="--gate e2e.p50" scripts/ab.sh HEAD~3
#
# Each side runs its own copy of SCENARIO (REF's file for A, the working tree's for B): an older build
# may not know a newer scenario key. REF is built with the working tree's build folder (.build) as its
# scratch path, so only phibench's own modules are recompiled, not its dependencies; the working
# tree's binary is copied aside first, and .build holds REF's build afterwards (the next `make build`
# rebuilds the working tree's modules).
set -euo pipefail

ref=${1:?usage: scripts/ab.sh REF [SCENARIO]}
scenario=${2:-scenarios/gate.yaml}
threshold=${THRESHOLD:-5%}
alpha=${ALPHA:-1%}
budget=${BUDGET:-5m}
instances=${INSTANCES:-2}
gate=${GATE:-}
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

# The A/B itself is phibench's: processes of A and B interleaved in random order, sequential looks,
# stopped as soon as the answer is clear or the budget is spent (phibench ab --help).
b_label=${head:0:10}
[ "$dirty" = 0 ] || b_label+="+dirty"
args=(ab "$scenario" --a "$A" --b "$B" --a-scenario "$A_scenario" --out "$out"
      --a-label "${commit:0:10}" --b-label "$b_label"
      --a-env "PHIBENCH_COMMIT=$commit" --a-env PHIBENCH_DIRTY=0 --b-env "PHIBENCH_COMMIT=$head" --b-env "PHIBENCH_DIRTY=$dirty"
      --threshold "$threshold" --alpha "$alpha" --budget "$budget" --instances "$instances" --markdown "$out/ab.md")
# shellcheck disable=SC2206
[ -z "$gate" ] || args+=($gate)
"$B" "${args[@]}"
