#!/usr/bin/env bash
# Gives `package` access to what our modules share but do not offer to users (issue #25).
#
# The public API is what the library product PhibenchKit re-exports (BenchModel, Harness, Reports, Gate,
# and Statistics, whose types those modules' public declarations use). Every other module of ours has
# no user outside this package, so its `public` (and `open`) declarations are `package`.
#
# Mechanical and idempotent: a `public`/`open` in modifier position (at the start of a line, after any
# attributes and modifiers), outside comments and multi-line strings, becomes `package`; running it
# again changes nothing. Re-run it after merging branches that add declarations to these modules, then
# build: the compiler names any public declaration of an exported module that now uses a package type.
#
#   scripts/dev/package-access.sh                 # the default list below
#   scripts/dev/package-access.sh Sources/Pipeline Sources/Launchers
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ $# -eq 0 ]; then
    set -- Sources/Allocator Sources/ExternalWorkloads Sources/History Sources/HistoryStorage \
        Sources/Launchers Sources/LiveMetrics Sources/MemoryLayer Sources/Pipeline Sources/Profiling \
        Sources/phibench Tests/TestSupport
fi

for dir in "$@"; do
    case "$dir" in
        Sources/BenchModel|Sources/Harness|Sources/Reports|Sources/Gate|Sources/PhibenchKit|Sources/Statistics)
            echo "package-access: $dir is public API (PhibenchKit exports it); not converted" >&2; exit 2 ;;
    esac
    [ -d "$dir" ] || { echo "package-access: $dir: no such directory" >&2; exit 2; }
done

# Only files whose text changes are written, so that a re-run leaves the rest (and the build) alone.
rewrite='
    BEGIN { $in_string = 0; $in_comment = 0 }
    unless ($in_string || $in_comment) {
        my $attr = qr/\@\w+(?:\([^()]*\))?\s+/;
        my $mod = qr/(?:final|static|class|nonisolated|override|required|convenience|mutating|nonmutating|indirect|lazy|dynamic|weak|unowned|consuming|borrowing|prefix|postfix|infix|(?:private|fileprivate|internal)\(set\))\s+/;
        s/^(\s*(?:$attr|$mod)*)(?:public(?=\s)|open(?=\s+(?:class|func|var|let|subscript|static|final|override|init)\b))/${1}package/;
    }
    my $code = $_;
    $code =~ s{//.*$}{} unless $in_string;
    my $quotes = () = $code =~ /"""/g;
    $in_string = !$in_string if $quotes % 2;
    unless ($in_string) {
        $in_comment = 1 if $code =~ m{/\*} && $code !~ m{\*/};
        $in_comment = 0 if $in_comment && $code =~ m{\*/} && $code !~ m{/\*[^*]*$};
    }
    print;
'
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
find "$@" -name '*.swift' -print0 | while IFS= read -r -d '' file; do
    perl -ne "$rewrite" "$file" > "$tmp"
    cmp -s "$tmp" "$file" || cat "$tmp" > "$file"
done

# What the rewrite could not decide: a `public` or `open` left in code (not in a comment) of these modules.
left=$(grep -rnE '(^|[^/"[:alnum:]_.])(public|open)[[:space:]]+(struct|enum|class|protocol|actor|extension|func|var|let|init|subscript|typealias|static|final)\b' \
    --include='*.swift' "$@" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|\*)' || true)
if [ -n "$left" ]; then
    echo "package-access: not rewritten (in a string, or in an unusual position; check these by hand):" >&2
    echo "$left" >&2
fi
