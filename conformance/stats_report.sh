#!/bin/sh
# SVMX_STATS=1 prints, at exit, the provider and a line per SVM_ATOMICS
# allocation.  The sample allocates one 4-byte atomic counter; on llvmpipe
# (coherent with the host) it is never armed.  arm_stats' record case
# allocates and frees 20100.
# Usage: stats_report.sh BUILD_DIR
set -eu
build=$1
out=$(SVMX_STATS=1 OPENCL_LAYERS="$build/libsvmx.so" RUSTICL_ENABLE=llvmpipe \
	"$build/atomic_counter" 2>&1 >/dev/null)
printf '%s\n' "$out"
fail() { echo "FAIL: $1"; exit 1; }
printf '%s\n' "$out" | grep -Eq '^svmx stats: provider (none|nouveau at .*|svmx module at /dev/svmx), arming on devices not coherent with the host$' ||
	fail "provider line"
[ "$(printf '%s\n' "$out" | grep -c '^svmx stats: alloc ')" = 1 ] || fail "one alloc line"
printf '%s\n' "$out" | grep -Eq '^svmx stats: alloc 0x[0-9a-f]+ bytes 4 arms 0 revoked cpu=0 fork=0 mprotect=0 munmap=0 owner=0 exit=0 other=0 rearms 0 freed$' ||
	fail "alloc line"
# Freed allocations: the last 64 listed, all in totals, in bounded memory.
many=$(SVMX_STATS=1 OPENCL_LAYERS="$build/libsvmx.so" RUSTICL_ENABLE=llvmpipe \
	"$build/conformance/arm_stats" records_of_freed_allocations_are_freed 2>&1 >/dev/null)
[ "$(printf '%s\n' "$many" | grep -c '^svmx stats: alloc 0x[0-9a-f]* bytes 64 .* freed$')" = 64 ] ||
	fail "64 freed alloc lines"
[ "$(printf '%s\n' "$many" | grep -c '^svmx stats: alloc ')" = 64 ] || fail "only freed alloc lines"
printf '%s\n' "$many" | grep -Eq '^svmx stats: freed 20100 allocations \(last 64 above\) in all: bytes 1286400 arms 0 revoked cpu=0 fork=0 mprotect=0 munmap=0 owner=0 exit=0 other=0 rearms 0$' ||
	fail "freed totals line"
# Without the setting svmx prints nothing (rusticl 26 prints a warning of its own).
quiet=$(OPENCL_LAYERS="$build/libsvmx.so" RUSTICL_ENABLE=llvmpipe "$build/atomic_counter" 2>&1 >/dev/null |
	grep '^svmx' || true)
[ -z "$quiet" ] || fail "printed without SVMX_STATS: $quiet"
echo "PASS stats_report"
