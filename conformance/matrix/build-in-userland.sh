#!/bin/bash
# Build (or find cached) the userland, then configure and build svmx inside
# it from SRC into BUILD.
#   build-in-userland.sh USERLAND SRC BUILD
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ul=${1:?usage: build-in-userland.sh USERLAND SRC BUILD}
src=$2
build=$3
root=$("$here/userland.sh" "$ul")
mkdir -p "$build"
"$here/in-userland.sh" "$root" "$src:$build" sh -c "
	cmake -S '$src' -B '$build' -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSVMX_KERNEL_TESTS=OFF >/dev/null &&
	cmake --build '$build' -j$(nproc)"
echo "matrix: svmx built in $ul ($(cat "$root/etc/debian_version"))"
