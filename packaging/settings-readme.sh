#!/bin/bash
# The README's settings table, svmx(7)'s SETTINGS section and the runtime
# all come from runtime/settings_list.h: the table svmx-settings prints
# stands verbatim in README.md, svmx(7) names every setting, and no code of
# the layer reads an SVMX_* variable except through the list.
#   settings-readme.sh SRC SVMX_SETTINGS MAN7
set -euo pipefail
src=${1:?usage: settings-readme.sh SRC SVMX_SETTINGS MAN7}
tool=$2
man7=$3
table=$("$tool" --markdown)
fail=0
if ! python3 -c 'import sys; t = sys.stdin.read(); sys.exit(t not in open(sys.argv[1]).read())' \
	"$src/README.md" <<<"$table"; then
	echo "settings-readme: FAIL: README.md does not hold this table (from $tool --markdown):" >&2
	echo "$table" >&2
	fail=1
fi
names=$(sed -n 's/^| `\(SVMX_[A-Z_]*\)`.*/\1/p' <<<"$table")
[ "$(wc -l <<<"$names")" -ge 5 ] || { echo "settings-readme: FAIL: table has too few rows" >&2; fail=1; }
for n in $names; do
	grep -qx "\.B $n" "$man7" ||
		{ echo "settings-readme: FAIL: svmx(7) lacks $n" >&2; fail=1; }
done
# Reads of SVMX_* variables outside the list's reader.
other=$(grep -rn 'getenv *( *"SVMX_' "$src/runtime" "$src/icd" --include=*.c --include=*.h |
	grep -v "^$src/runtime/settings.c:" || true)
if [ -n "$other" ]; then
	echo "settings-readme: FAIL: SVMX_* read outside runtime/settings_list.h:" >&2
	echo "$other" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "settings-readme: ok: $(wc -w <<<"$names") settings, README table and svmx(7) match the list"
exit $fail
