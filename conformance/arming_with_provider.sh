#!/bin/sh
# In the kernel harness's guest, with /dev/svmx loaded and OPENCL_LAYERS
# naming the layer: arming_with_provider under SVMX_ARM=always and =auto,
# then SVMX_STATS=1's report at exit against the numbers the extension
# query gave for every allocation just before it was freed.
set -eu
export RUSTICL_ENABLE=llvmpipe HOME=/tmp
fail() { echo "FAIL: $1"; exit 1; }
cd /tmp

for mode in always auto; do
	rc=0
	SVMX_STATS=1 arming_with_provider $mode >out.$mode 2>err.$mode || rc=$?
	cat out.$mode err.$mode
	[ $rc = 0 ] || fail "arming_with_provider $mode exited $rc"
	grep '^query: alloc ' out.$mode | sed 's/^query: /svmx stats: /' | sort >want.$mode
	grep '^svmx stats: alloc ' err.$mode | sort >got.$mode
	[ -s want.$mode ] || fail "$mode: no allocation reported"
	cmp -s want.$mode got.$mode || {
		diff want.$mode got.$mode || true
		fail "$mode: SVMX_STATS and the query disagree"
	}
done
grep -qx 'svmx stats: provider svmx module at /dev/svmx, arming on every device' err.always ||
	fail "always: provider line"
grep -qx 'svmx stats: provider svmx module at /dev/svmx, arming on devices not coherent with the host' err.auto ||
	fail "auto: provider line"
# Armed allocations were reported with arms, and the others without.
grep -q ' arms [1-9][0-9]* revoked cpu=[1-9]' got.always || fail "always: nothing armed and revoked"
! grep -q ' arms [1-9]' got.auto || fail "auto: an allocation was armed"
echo "PASS arming_with_provider.sh"
