#!/usr/bin/env bash
# Compare two builds on this machine in one go: REF (before) against the working tree (after).
# Builds REF in a separate worktree under .ab/, then runs single-trial runs interleaved A B A B …
# so drift and noise on a shared machine hit both sides alike, pools each side's trials and compares.
#
#   scripts/ab.sh REF [SCENARIO] [ROUNDS]        e.g. scripts/ab.sh main scenarios/bench.yaml 5
#   THRESHOLD=10% scripts/ab.sh HEAD~3
set -euo pipefail

ref=${1:?usage: scripts/ab.sh REF [SCENARIO] [ROUNDS]}
scenario=${2:-scenarios/bench.yaml}
rounds=${3:-5}
threshold=${THRESHOLD:-5%}
root=$(git rev-parse --show-toplevel)
cd "$root"

commit=$(git rev-parse --verify "$ref^{commit}") || { echo "ab.sh: '$ref' is not a commit" >&2; exit 2; }
worktree="$root/.ab/worktree"
if [ -d "$worktree" ]; then
  git -C "$worktree" checkout --quiet --detach "$commit"
else
  mkdir -p "$root/.ab"
  git worktree add --quiet --detach "$worktree" "$commit"
fi

echo "ab.sh: building A = $ref (${commit:0:12}) in $worktree"
(cd "$worktree" && swift build -c release --product phibench)
echo "ab.sh: building B = working tree"
swift build -c release --product phibench
A="$worktree/.build/release/phibench"
B="$root/.build/release/phibench"

out="runs/ab-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for i in $(seq 1 "$rounds"); do
  echo "ab.sh: round $i/$rounds: A"
  PHIBENCH_COMMIT="$commit" "$A" run "$scenario" --quiet --out "$out/A-$i" || [ $? -eq 1 ]
  echo "ab.sh: round $i/$rounds: B"
  "$B" run "$scenario" --quiet --out "$out/B-$i" || [ $? -eq 1 ]
done

a_files=() b_files=()
for i in $(seq 1 "$rounds"); do a_files+=("$out/A-$i/result.json"); b_files+=("$out/B-$i/result.json"); done
"$B" merge "${a_files[@]}" --out "$out/A.json"
"$B" merge "${b_files[@]}" --out "$out/B.json"
"$B" compare "$out/A.json" "$out/B.json" --threshold "$threshold" --out "$out/compare"
