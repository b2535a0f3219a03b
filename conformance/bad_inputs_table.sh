#!/bin/bash
# BAD_INPUTS.md's table is the one bad_inputs prints from its rows: the
# text before the table is written by hand, the table is not.
#   bad_inputs_table.sh BAD_INPUTS_BINARY BAD_INPUTS.md
set -euo pipefail
bin=${1:?usage: bad_inputs_table.sh BAD_INPUTS_BINARY BAD_INPUTS.md}
md=${2:?usage: bad_inputs_table.sh BAD_INPUTS_BINARY BAD_INPUTS.md}
generated=$("$bin" --markdown)
# The table: from its header line to the end of the file.
written=$(sed -n '/^| Entry point |/,$p' "$md")
if [ -z "$written" ]; then
	echo "FAIL bad_inputs_table: $md has no table" >&2
	exit 1
fi
if ! diff -u --label "$md (table)" --label "bad_inputs --markdown" \
	<(printf '%s\n' "$written") <(printf '%s\n' "$generated"); then
	echo "FAIL bad_inputs_table: regenerate the table with $bin --markdown" >&2
	exit 1
fi
echo "PASS bad_inputs_table: $(printf '%s\n' "$generated" | tail -n +3 | wc -l) rows"
