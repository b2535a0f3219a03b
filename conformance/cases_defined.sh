#!/bin/bash
# Every case a conformance test defines is one its program runs: for each
# conformance/*.c, the CLTEST and CLTEST_IN definitions in the source against
# the names the built program lists (--list).  A program of suites takes the
# suite as its first argument (arming_with_provider).  Prints the count of
# cases of each test.
#   cases_defined.sh SOURCE_DIR BINARY_DIR
set -euo pipefail
src=${1:?usage: cases_defined.sh SOURCE_DIR BINARY_DIR}
bin=${2:?usage: cases_defined.sh SOURCE_DIR BINARY_DIR}
bad=0 total=0
for c in "$src"/*.c; do
	name=$(basename "$c" .c)
	defined=$(grep -cE '^CLTEST(_IN)?\(' "$c" || true)
	[ "$defined" != 0 ] || continue
	suites=$(sed -nE 's/^CLTEST_IN\("([^"]*)",.*/\1/p' "$c" | sort -u)
	if [ -z "$suites" ]; then
		listed=$("$bin/$name" --list | wc -l)
	else
		listed=0
		for s in $suites; do
			listed=$((listed + $("$bin/$name" "$s" --list | wc -l)))
		done
	fi
	total=$((total + defined))
	if [ "$listed" != "$defined" ]; then
		echo "FAIL $name: $defined cases defined, $listed run"
		bad=1
	else
		echo "$name: $defined cases"
	fi
done
echo "$total cases in all"
[ "$bad" = 0 ] && echo "PASS cases_defined"
exit "$bad"
