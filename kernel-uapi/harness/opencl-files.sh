#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What run-guest.sh --opencl puts in the guest: Mesa's rusticl and the files
# it opens at run time.  One line each:
#
#   lib <path>    the library the ICD file names (its libraries come along)
#   file <path>   the ICD file, libclc's SPIR-V library, clang's OpenCL
#                 headers, which rusticl's compiler opens
#
# ldconfig is looked up on PATH, then in /sbin and /usr/sbin.
set -euo pipefail
PATH=$PATH:/sbin:/usr/sbin

icd=/etc/OpenCL/vendors/rusticl.icd
[ -f $icd ] || { echo "opencl-files: no $icd (mesa-opencl-icd)" >&2; exit 2; }
lib=$(cat $icd)
case "$lib" in
/*) ;;
# awk reads the whole listing: stopping at the match would kill ldconfig
# with SIGPIPE once its output outgrows the pipe, failing under pipefail.
*) lib=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && p == "" { p = $NF } END { print p }') ;;
esac
[ -f "$lib" ] || { echo "opencl-files: rusticl's library not found" >&2; exit 2; }
echo "lib $lib"
for f in $icd /usr/lib/clc/spirv*-mesa3d-.spv /usr/lib/llvm-*/lib/clang/*/include/opencl-c*.h; do
	[ -f "$f" ] || { echo "opencl-files: no $f" >&2; exit 2; }
	echo "file $f"
done
