#!/bin/bash
# svmx-run behaves like a command-line tool: --help, --version, --settings,
# usage and exit status 2 without a command or with an unknown option, the
# command's own exit status passed through, the layer put first.
#   svmx-run-cli.sh SVMX_RUN LAYER VERSION
set -uo pipefail
run=${1:?usage: svmx-run-cli.sh SVMX_RUN LAYER VERSION}
layer=$2
version=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COND...
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what" >&2; fail=1; fi
}
# Run svmx-run with a clean SVMX_* environment; status in $st, output in files.
go() {
	env $(compgen -e SVMX_ | sed 's/^/-u /') "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
}

go "$run" --help
check "--help: usage on stdout, status 0" test $st -eq 0 -a ! -s "$tmp/err"
check "--help names --settings and the man pages" grep -q -- '--settings' "$tmp/out"
grep -q 'svmx-run(1)' "$tmp/out" || { echo "FAIL: --help does not point to svmx-run(1)" >&2; fail=1; }

go "$run" --version
check "--version prints svmx-run (svmx) $version" test $st -eq 0 -a "$(cat "$tmp/out")" = "svmx-run (svmx) $version"

go "$run"
check "no command: status 2" test $st -eq 2
check "no command: usage on stderr, nothing on stdout" grep -q '^usage: svmx-run' "$tmp/err"
check "no command: stdout empty" test ! -s "$tmp/out"
go "$run" --
check "-- without a command: status 2" test $st -eq 2
go "$run" --frobnicate
check "unknown option: status 2 and a message" grep -q 'unknown option --frobnicate' "$tmp/err"
test $st -eq 2 || { echo "FAIL: unknown option gave $st" >&2; fail=1; }

for code in 0 1 3 42 255; do
	go "$run" sh -c "exit $code"
	check "child exit status $code passes through" test $st -eq $code
done
{ go "$run" sh -c 'kill -TERM $$'; } 2>/dev/null
check "child killed by SIGTERM: 128+15" test $st -eq 143
go "$run" /nonexistent/command
check "missing command file: 127" test $st -eq 127
go "$run" -- sh -c 'echo "$0 $1"' a b
check "-- then the command and its arguments, untouched" test "$(cat "$tmp/out")" = "a b"

go env OPENCL_LAYERS=/other/layer.so RUSTICL_ENABLE= "$run" sh -c 'echo "$OPENCL_LAYERS|$RUSTICL_ENABLE|${RUSTICL_ENABLE+set}"'
check "layer first in OPENCL_LAYERS, the caller's after it; RUSTICL_ENABLE kept when set" \
	test "$(cat "$tmp/out")" = "$layer:/other/layer.so||set"
go env -u OPENCL_LAYERS -u RUSTICL_ENABLE "$run" sh -c 'echo "$OPENCL_LAYERS|$RUSTICL_ENABLE"'
check "alone in OPENCL_LAYERS; RUSTICL_ENABLE=llvmpipe when unset" \
	test "$(cat "$tmp/out")" = "$layer|llvmpipe"

# --settings: every setting, its current value, its default and meaning.
go "$run" --settings
check "--settings: status 0" test $st -eq 0
for name in SVMX_LOG SVMX_DISABLE SVMX_ARM SVMX_STATS SVMX_WORKAROUNDS_OFF; do
	check "--settings lists $name with its default value (unset)" \
		grep -q "^$name=.*(not set: default)" "$tmp/out"
done
check "--settings: SVMX_LOG's default, values and meaning" \
	grep -A3 '^SVMX_LOG=warn' "$tmp/out" -q
grep -A3 '^SVMX_LOG=warn' "$tmp/out" | grep -q 'default: warn' || { echo "FAIL: no default line" >&2; fail=1; }
grep -A3 '^SVMX_LOG=warn' "$tmp/out" | grep -q 'what the layer prints to stderr' ||
	{ echo "FAIL: no meaning" >&2; fail=1; }
go env SVMX_LOG=debug SVMX_ARM=never SVMX_WORKAROUNDS_OFF=fence "$run" --settings
check "--settings shows values set in the environment" \
	grep -qx 'SVMX_LOG=debug' "$tmp/out"
grep -qx 'SVMX_ARM=never' "$tmp/out" && grep -qx 'SVMX_WORKAROUNDS_OFF=fence' "$tmp/out" ||
	{ echo "FAIL: set values not shown" >&2; cat "$tmp/out" >&2; fail=1; }
go env SVMX_LOG=loud "$run" --settings
check "--settings: a bad value shows the default it falls back to, and why" \
	grep -qx 'SVMX_LOG=warn' "$tmp/out"
grep -q 'SVMX_LOG=loud is not one of' "$tmp/err" || { echo "FAIL: no complaint for SVMX_LOG=loud" >&2; fail=1; }
go "$run" --settings extra
check "--settings takes no arguments: status 2" test $st -eq 2

[ $fail -eq 0 ] && echo "svmx-run-cli: all ok"
exit $fail
