#!/bin/sh
# Refreshes the project's copy of the reference vectors from the design repo's shared/vectors and rewrites
# the sha256 list in README.md (test/vectors/data.test.ts checks the copies against it).
#   test/vectors/data/refresh.sh /path/to/shared/vectors
set -eu

src=${1:?usage: test/vectors/data/refresh.sh <shared/vectors directory>}
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$src" ] || { echo "refresh.sh: $src is not a directory" >&2; exit 2; }
ls "$src"/*.json >/dev/null 2>&1 || { echo "refresh.sh: no *.json in $src" >&2; exit 2; }

readme="$here/README.md"
grep -q '^<!-- sha256:begin -->$' "$readme" && grep -q '^<!-- sha256:end -->$' "$readme" || {
  echo "refresh.sh: README.md lacks the sha256:begin/end markers" >&2
  exit 2
}

if command -v sha256sum >/dev/null 2>&1; then sha() { sha256sum "$@"; }; else sha() { shasum -a 256 "$@"; }; fi

# a file gone from the source goes here too
for f in "$here"/*.json; do
  [ -e "$f" ] || continue
  [ -e "$src/$(basename "$f")" ] || rm -- "$f"
done
for f in "$src"/*.json; do
  cp -- "$f" "$here/"
  chmod 644 "$here/$(basename "$f")"
done

sums=$(mktemp)
trap 'rm -f -- "$sums" "$sums.readme"' EXIT
(cd "$here" && sha -- *.json | sed 's/ [ *]/  /') >"$sums"
awk -v sums="$sums" '
  /^<!-- sha256:begin -->$/ {
    print; print "```text"
    while ((getline line < sums) > 0) print line
    print "```"; skip = 1; next
  }
  /^<!-- sha256:end -->$/ { skip = 0 }
  !skip { print }
' "$readme" >"$sums.readme"
cat "$sums.readme" >"$readme"
echo "copied $(wc -l <"$sums" | tr -d ' ') files from $src; sha256 list rewritten in $readme"
