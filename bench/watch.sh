#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/watch.sh: `sockscope watch` under a storm of closes, in a throwaway
# network namespace. The churn helper (tests/integration/churn.c, built by
# meson) opens and closes loopback connections as fast as it can; watch
# counts the TCP closes it is told of (--format prometheus). The kernel's
# own count is ActiveOpens + PassiveOpens from /proc/net/snmp (each opened
# socket is destroyed once), plus the churn listeners. CPU is watch's
# utime + stime from /proc/PID/stat.
#
#   bench/watch.sh [--seconds S] [--procs N] [--build DIR] [--transitions]
#
# --transitions: the BPF backend instead (watch --transitions --format
# ndjson state close, every move into CLOSE), its rows counted; "lost" are
# the transitions the ring buffer had no room for.
#
# Needs root (unshare -n). Prints one line of figures on stdout.

set -euo pipefail

SECONDS_RUN=30
PROCS=2
BUILD=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build

while (($#)); do
	case $1 in
	--seconds) SECONDS_RUN=$2; shift 2 ;;
	--procs) PROCS=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--inner) INNER=1; shift ;;
	--transitions) TRANSITIONS=1; shift ;;
	*) echo "bench/watch.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

SOCKSCOPE=$BUILD/src/sockscope
CHURN=$BUILD/tests/integration/churn
for f in "$SOCKSCOPE" "$CHURN"; do
	[[ -x $f ]] || { echo "bench/watch.sh: $f missing (meson compile -C $BUILD)" >&2; exit 1; }
done

if [[ -z ${INNER:-} ]]; then
	exec unshare -n "$0" --inner --seconds "$SECONDS_RUN" --procs "$PROCS" \
		--build "$BUILD" ${TRANSITIONS:+--transitions}
fi

ip link set lo up
opens() {
	awk '/^Tcp: [0-9]/ { print $6 + $7 }' /proc/net/snmp
}
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
before=$(opens)
if [[ -n ${TRANSITIONS:-} ]]; then
	"$SOCKSCOPE" watch --transitions --format ndjson state close >"$tmp/nd" &
else
	"$SOCKSCOPE" watch -t --format prometheus --interval 0 >"$tmp/prom" &
fi
watch_pid=$!
sleep 1.5 # the first dump, then the groups deliver
t0=$(ticks "$watch_pid")
sleep "$SECONDS_RUN" | "$CHURN" --procs "$PROCS" >"$tmp/churn"
sleep 1 # the kernel announces destroys from a workqueue
t1=$(ticks "$watch_pid")
kill -INT "$watch_pid"
wait "$watch_pid"
after=$(opens)

hz=$(getconf CLK_TCK)
expected=$((after - before + PROCS))
if [[ -n ${TRANSITIONS:-} ]]; then
	reported=$(grep -c '"to":"CLOSE"' "$tmp/nd" || true)
	overflows=$({ grep -o '"lost":[0-9]*' "$tmp/nd" || true; } | awk -F: '{ n += $2 } END { print n + 0 }')
else
	reported=$(awk '/^sockscope_watch_closes_total\{protocol="tcp"/ { n += $2 } END { print n + 0 }' "$tmp/prom")
	overflows=$(awk '/^sockscope_watch_overflows_total/ { print $2 }' "$tmp/prom")
fi
secs=$(awk '/seconds/ { for (i = 1; i < NF; i++) if ($i == "seconds") print $(i + 1) }' "$tmp/churn" | tail -1)
awk -v e="$expected" -v r="$reported" -v o="$overflows" -v s="$secs" \
	-v c="$((t1 - t0))" -v hz="$hz" 'BEGIN {
	printf "closes %d in %.1f s (%.0f/s); reported %d, missing %d, overflows %d; watch CPU %.1f%% of one core\n",
		e, s, e / s, r, e - r, o, 100 * c / hz / s
}'
