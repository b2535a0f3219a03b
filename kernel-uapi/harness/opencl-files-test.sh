#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# opencl-files.sh finds rusticl's library whatever the length of ldconfig's
# listing: an ldconfig that names the library first and then writes more
# than a pipe holds must not make it fail (the reader stopping early kills
# the writer with SIGPIPE, which pipefail turns into an error).  Run on the
# host, which has rusticl; no guest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$(cat /etc/OpenCL/vendors/rusticl.icd)
case "$name" in
/*) echo "opencl-files-test: the ICD file names a path; no lookup to test"; exit 77 ;;
esac
real=$(PATH=$PATH:/sbin:/usr/sbin ldconfig -p | awk -v l="$name" '$1 == l && /x86-64/ { p = $NF } END { print p }')
[ -f "$real" ] || { echo "opencl-files-test: FAIL: ldconfig does not know $name" >&2; exit 1; }

stub=$(mktemp -d "${TMPDIR:-/tmp}/svmx-opencl-files.XXXXXX")
trap 'rm -rf "$stub"' EXIT
cat >"$stub/ldconfig" <<STUB
#!/bin/sh
printf '\t%s (libc6,x86-64) => %s\n' '$name' '$real'
i=0
while [ \$i -lt 20000 ]; do
	printf '\tlibfiller%05d.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libfiller%05d.so.1\n' \$i \$i
	i=\$((i + 1))
done
STUB
chmod +x "$stub/ldconfig"

for run in 1 2 3; do
	out=$(PATH=$stub:$PATH "$here/opencl-files.sh") ||
		{ echo "opencl-files-test: FAIL: run $run: opencl-files.sh exited $?" >&2; exit 1; }
	grep -qx "lib $real" <<<"$out" ||
		{ echo "opencl-files-test: FAIL: run $run: no 'lib $real' in: $out" >&2; exit 1; }
done
echo "opencl-files-test: ok: $real found ahead of a $(("$(PATH=$stub:$PATH ldconfig | wc -c)" / 1024)) KiB listing"
