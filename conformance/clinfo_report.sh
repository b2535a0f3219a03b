#!/bin/sh
# clinfo through svmx-run reports SVM and atomics for rusticl's llvmpipe, and
# changes nothing else: the layer disabled gives byte-identical output, and
# enabled it changes only the SVM, atomic-capability and C-feature lines.
# usage: clinfo_report.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# rusticl alone: PoCL's "Global memory size" changes from run to run by itself.
mkdir "$tmp/vendors"
cp /etc/OpenCL/vendors/rusticl.icd "$tmp/vendors/"
export OCL_ICD_VENDORS="$tmp/vendors"

RUSTICL_ENABLE=llvmpipe clinfo > "$tmp/plain" 2>&1
"$build/svmx-run" clinfo > "$tmp/layer" 2>&1
SVMX_DISABLE=1 "$build/svmx-run" clinfo > "$tmp/disabled" 2>&1

grep -q "llvmpipe" "$tmp/plain" || fail "no llvmpipe device in plain clinfo"
cmp "$tmp/plain" "$tmp/disabled" || fail "SVMX_DISABLE=1 output differs from clinfo without the layer"

grep -Eq "Coarse-grained buffer sharing +Yes" "$tmp/layer" || fail "coarse-grained SVM not reported"
grep -Eq "Fine-grained buffer sharing +Yes" "$tmp/layer" || fail "fine-grained buffer SVM not reported"
# Fine-grain system SVM: the driver's own on rusticl 25 and later, svmx's
# before (22.3 has no SVM of its own).
grep -Eq "Fine-grained system sharing +Yes" "$tmp/layer" || fail "fine-grained system SVM not reported"
grep -Eq "^ +Atomics +Yes" "$tmp/layer" || fail "SVM atomics not reported"
grep -Eq "Atomic memory capabilities +relaxed, acquire/release, sequentially-consistent, work-group scope, device scope, all-devices scope" \
	"$tmp/layer" || fail "atomic memory capabilities"
grep -Eq "Atomic fence capabilities +relaxed, acquire/release, sequentially-consistent, work-group scope, device scope, all-devices scope$" \
	"$tmp/layer" || fail "atomic fence capabilities"
for f in atomic_order_acq_rel atomic_order_seq_cst atomic_scope_device atomic_scope_all_devices; do
	grep -Eq "__opencl_c_$f +0xc00000 \(3.0.0\)" "$tmp/layer" || fail "feature __opencl_c_$f missing"
done

# 64-bit atomics: llvmpipe on x86-64 (runtime/workarounds.c, int64_atomics).
if [ "$(uname -m)" = x86_64 ]; then
	for e in cl_khr_int64_base_atomics cl_khr_int64_extended_atomics; do
		grep -Eq "Device Extensions .*$e" "$tmp/layer" || fail "$e not in the extension list"
		grep -Eq "^ +$e +0x400000 \(1.0.0\)" "$tmp/layer" || fail "$e not in the versioned list"
	done
fi

# Every changed line is one of those.
diff "$tmp/plain" "$tmp/layer" | grep -E '^[<>]' > "$tmp/changed" || true
if grep -Ev '(Coarse-grained buffer sharing|Fine-grained (buffer|system) sharing|^[<>] +Atomics +(Yes|No)|Atomic (memory|fence) capabilities|__opencl_c_atomic_|Device Extensions|cl_khr_int64_(base|extended)_atomics)' \
	"$tmp/changed"; then
	fail "the lines above changed but should not have"
fi
[ -s "$tmp/changed" ] || fail "the layer changed nothing"
echo "PASS clinfo_report"
