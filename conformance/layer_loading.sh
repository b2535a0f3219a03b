#!/bin/sh
# How the loader in use loads svmx: through OPENCL_LAYERS always, and through
# a .lay file in /etc/OpenCL/layers where the loader reads that directory
# (the Khronos loader, ocl-icd 2.3.2 and later; not ocl-icd 2.3.1).  Which
# init entry the loader called, and whether it called clDeinitLayer, come
# from svmx's own log.  The directory is replaced in a private mount
# namespace for the run, so the system's own layers are never touched.
# Measured: Debian's Khronos loader (0~20250722) calls clInitLayer, not
# clInitLayerWithProperties, and neither loader calls clDeinitLayer at exit;
# the line printed says what the loader in use did.
# Usage: layer_loading.sh BUILD_DIR
set -eu
build=$1
fail() { echo "FAIL: $*"; exit 1; }
export RUSTICL_ENABLE=llvmpipe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/vendors"
cp /etc/OpenCL/vendors/rusticl.icd "$tmp/vendors/"
export OCL_ICD_VENDORS="$tmp/vendors"

opencl=$(ldd "$(command -v clinfo)" | sed -n 's/.*libOpenCL.so.1 => \([^ ]*\).*/\1/p')
case "$opencl" in
*/opt/khronos/*) loader=khronos
	version=$(zcat /opt/khronos/usr/share/doc/*/changelog.Debian.gz | sed -n '1s/.*(\(.*\)).*/\1/p') ;;
*)	if dpkg -S "$(readlink -f "$opencl")" 2>/dev/null | grep -q '^ocl-icd-libopencl1'; then
		loader=ocl-icd; version=$(dpkg-query -W -f='${Version}' ocl-icd-libopencl1)
	else
		# A loader of no package (one built by hand, chosen with
		# LD_LIBRARY_PATH): reported, not judged by version.
		loader="unpackaged"; version=$opencl
	fi ;;
esac

# Through OPENCL_LAYERS.
SVMX_LOG=debug OPENCL_LAYERS="$build/libsvmx.so" clinfo >"$tmp/env.out" 2>"$tmp/env.log"
grep -Eq "^ +Atomics +Yes" "$tmp/env.out" || fail "$loader: OPENCL_LAYERS did not load svmx"
init=$(sed -n 's/^svmx: debug: loaded through \([A-Za-z]*\),.*/\1/p' "$tmp/env.log" | head -n1)
deinit=no
grep -q "^svmx: debug: clDeinitLayer" "$tmp/env.log" && deinit=yes

# Through the layer directory, and nothing else: /etc/OpenCL replaced by a
# copy with the vendors and a layers directory holding svmx.lay, for this
# run only (nothing is created on the real file system).
mkdir -p "$tmp/OpenCL/layers"
cp -r /etc/OpenCL/vendors "$tmp/OpenCL/"
echo "$build/libsvmx.so" >"$tmp/OpenCL/layers/svmx.lay"
plain=$(clinfo 2>/dev/null | grep -E "^ +Atomics +" || true)
# In a chroot "/" is no mount point: its namespace is private already.
propagation=private
mountpoint -q / || propagation=unchanged
unshare --mount --propagation $propagation sh -c '
	mount --bind "$1/OpenCL" /etc/OpenCL && env -u OPENCL_LAYERS clinfo' sh "$tmp" \
	>"$tmp/dir.out" 2>/dev/null
if grep -Eq "^ +Atomics +Yes" "$tmp/dir.out"; then dir=yes; else dir=no; fi

echo "loader $loader $version: OPENCL_LAYERS yes, through $init; clDeinitLayer $deinit; reads /etc/OpenCL/layers $dir"
[ -n "$init" ] || fail "$loader: no init entry logged"
# The loader's new scheme (Khronos, 2026) calls clInitLayerWithProperties
# and, at its unload, the layer's clDeinitLayer.
if [ "$init" = clInitLayerWithProperties ] && [ "$deinit" != yes ]; then
	fail "$loader: loaded through clInitLayerWithProperties, but clDeinitLayer never ran"
fi
case "$loader $version" in
"unpackaged "*) ;;
"ocl-icd 2.3.1"*)
	[ "$dir" = no ] || fail "ocl-icd 2.3.1 read the layer directory"
	[ "$(grep -E "^ +Atomics +" "$tmp/dir.out" || true)" = "$plain" ] || fail "clinfo changed without the layer" ;;
*)	[ "$dir" = yes ] || fail "$loader $version did not load svmx from /etc/OpenCL/layers" ;;
esac
echo "PASS layer_loading"
