#!/bin/sh
# Regenerates THIRD-PARTY (repository root): the third-party Java libraries that Proxima's library
# modules depend on at compile and run time (test, provided and system scopes left out), with
# their licenses, as org.codehaus.mojo:license-maven-plugin reads them from the dependency tree.
# The library modules are the ones proxima-bom manages; bench and samples are not distributed.
#
#   scripts/third-party.sh          rewrite THIRD-PARTY
#   scripts/third-party.sh --check  exit 1 (and show the difference) if THIRD-PARTY is out of date
#
# Extra arguments after the mode are passed to Maven (e.g. -o to build offline).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mode=write
if [ "${1:-}" = "--check" ]; then mode=check; shift; fi

# artifactIds managed by the BOM -> the module folders that build them
modules=.
for id in $(sed -n 's|.*<artifactId>\(proxima-[a-z0-9-]*\)</artifactId>.*|\1|p' "$root/bom/pom.xml" | sort -u); do
  for pom in "$root"/bindings/*/pom.xml "$root"/modules/*/pom.xml; do
    if grep -q "^  <artifactId>$id</artifactId>" "$pom"; then
      modules="$modules,$(dirname "${pom#"$root"/}")"
    fi
  done
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$root/mvnw" -B -ntp -q -f "$root/pom.xml" "$@" -pl "$modules" \
  license:aggregate-add-third-party -Dlicense.outputDirectory="$out" >/dev/null
if [ "$mode" = check ]; then
  if ! diff -u "$root/THIRD-PARTY" "$out/THIRD-PARTY"; then
    echo "third-party.sh: THIRD-PARTY is out of date; run scripts/third-party.sh and commit it" >&2
    exit 1
  fi
  echo "third-party.sh: THIRD-PARTY is current"
else
  cp "$out/THIRD-PARTY" "$root/THIRD-PARTY"
  echo "third-party.sh: wrote $root/THIRD-PARTY"
fi
