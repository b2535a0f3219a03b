#!/bin/sh
# Print a clinfo output (plain or --raw) with the values a driver derives
# from the memory free when clinfo runs masked: PoCL's global memory size is
# a share of it (seen here: 12.09 GiB before an install, 11.09 GiB after it,
# with a kernel build running alongside).  The install and removal checks
# compare what this prints; every other byte must match.
#
#   clinfo-stable.sh clinfo.out
set -eu
exec sed -E 's/^(.*(Global memory size|GLOBAL_MEM_SIZE|Max memory allocation|MAX_MEM_ALLOC_SIZE)[^0-9]*)[0-9].*$/\1<machine memory>/' "${1:?usage: clinfo-stable.sh clinfo.out}"
