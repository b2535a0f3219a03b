#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build svmx.ko for a guest kernel (building the kernel first if it is not
# cached) in <outdir>, out of the source tree; print the path of svmx.ko.
#
#   build-module.sh 6.1 build/kernel-uapi/module-6.1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: build-module.sh <6.1|6.12> <outdir>}
out=${2:?usage: build-module.sh <6.1|6.12> <outdir>}
tree=$("$here/build-kernel.sh" "$ver")
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$here"/../module/*.c "$here"/../module/*.h "$here/../module/Kbuild" "$out/"
make -s -C "$tree" M="$out" SVMX_INCLUDE="$(cd "$here/../../include" && pwd)" \
	-j"${SVMX_KERNEL_JOBS:-$(nproc)}" modules >&2
echo "$out/svmx.ko"
