#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/newss.sh: build ss from an iproute2 source tree and run the
# integration tests that compare sockscope with ss against it.
#
#   tests/newss.sh IPROUTE2_SRC [BUILD_DIR]
#
# IPROUTE2_SRC is an iproute2 checkout, a bare git repository (its HEAD is
# used) or an unpacked release; it is copied, never built in place.
# BUILD_DIR is sockscope's meson build directory (default: build, set up
# and compiled by the caller). Needs root (the tests make network
# namespaces) and, to build ss, what iproute2's ./configure and misc/ want:
# gcc, make, pkg-config, bison, flex, libmnl-dev; libelf-dev and libbpf-dev
# are used when present. CI does not run it: it needs a source tree.
#
# The tests take ss from SOCKSCOPE_SS (tests/integration/netns.py: ss(),
# ss_version()); which tests compare is read from them, so a new one is
# run here without a change to this script. Prints the ss version, each
# test's result, and exits as meson test does.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ $# -lt 1 || $# -gt 2 ]]; then
	echo "usage: tests/newss.sh IPROUTE2_SRC [BUILD_DIR]" >&2
	exit 2
fi
SRC=$1
BUILD=${2:-$ROOT/build}
if [[ ! -f $BUILD/build.ninja ]]; then
	echo "newss.sh: $BUILD: not a meson build directory" >&2
	exit 2
fi

WORK=$(mktemp -d /tmp/sockscope-newss.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [[ $(git -C "$SRC" rev-parse --is-bare-repository 2>/dev/null) == true ]]; then
	git -C "$SRC" archive HEAD | tar -x -C "$WORK"
elif [[ -x $SRC/configure && -f $SRC/misc/ss.c ]]; then
	cp -a "$SRC/." "$WORK"
else
	echo "newss.sh: $SRC: no iproute2 source tree" >&2
	exit 2
fi

echo "== building ss from $SRC"
(
	cd "$WORK"
	./configure >"$WORK/configure.log" 2>&1
	# misc/ needs lib/ (libnetlink, libutil); nothing else.
	make -j"$(nproc)" SUBDIRS="lib misc" >"$WORK/make.log" 2>&1
) || {
	echo "newss.sh: building ss failed; the end of the log:" >&2
	tail -n 20 "$WORK/make.log" "$WORK/configure.log" >&2 || true
	exit 1
}
SS=$WORK/misc/ss
echo "== $("$SS" -V)"

# The tests that compare with ss: the files that call netns.ss(), by
# their meson names (test_filter_states.py is integration-filter-states).
mapfile -t TESTS < <(grep -l 'netns\.ss(' "$ROOT"/tests/integration/test_*.py |
	sed -e 's|.*/test_||' -e 's|\.py$||' -e 's|_|-|g' -e 's|^|integration-|' |
	sort)
known=$(meson test -C "$BUILD" --list 2>/dev/null)
for t in "${TESTS[@]}"; do
	if ! grep -q "/ $t\$" <<<"$known"; then
		echo "newss.sh: no meson test $t" >&2
		exit 1
	fi
done
echo "== ${#TESTS[@]} tests: ${TESTS[*]}"

SOCKSCOPE_SS=$SS SOCKSCOPE_TEST_NO_SKIP=1 \
	meson test -C "$BUILD" --print-errorlogs "${TESTS[@]}"
