#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/watch.sh: `sockscope watch` under a storm of closes, in a throwaway
# network namespace. The churn helper (tests/integration/churn.c, built by
# meson) opens and closes loopback connections as fast as it can; watch
# counts the TCP closes it is told of (--format prometheus) and the events
# the kernel dropped (sockscope_watch_dropped_events_total). The kernel's
# own count is ActiveOpens + PassiveOpens from /proc/net/snmp (each opened
# socket is destroyed once; a socket that never connected counts in
# neither, so churn stops its workers between cycles), plus the churn
# listeners. Exactly once: rows + dropped == the kernel's count, and the
# kernel's drops for watch's socket (/proc/net/netlink) == watch's dropped.
# CPU is watch's utime + stime from /proc/PID/stat.
#
#   bench/watch.sh [--seconds S] [--procs N] [--build DIR] [--transitions]
#
# --transitions: the BPF backend instead (watch --transitions --format
# ndjson state close, every move into CLOSE), its rows counted; "lost" are
# the transitions the ring buffer had no room for.
#
# Needs root (unshare -n). Prints one line of figures on stdout and exits 1
# when a check fails.

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
load() {
	cut -d' ' -f1 /proc/loadavg
}
# The namespace's sock_diag sockets that joined a group: only watch's event
# socket. Prints its sk_drops (/proc/net/netlink: Eth 4, Groups, Drops).
joined_drops() {
	awk '$2 == 4 && $4 != "00000000" { print $9 }' /proc/net/netlink
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
load0=$(load)
if [[ -n ${TRANSITIONS:-} ]]; then
	sleep 1.5 # the BPF program loaded and attached
else
	# No close before watch joined the groups (it would be missing),
	# then its first dump (empty here) done.
	for ((i = 0; i < 100; i++)); do
		[[ -n $(joined_drops) ]] && break
		sleep 0.1
	done
	[[ -n $(joined_drops) ]] || { echo "bench/watch.sh: watch did not join the destroy groups" >&2; exit 1; }
	sleep 0.5
fi
t0=$(ticks "$watch_pid")
sleep "$SECONDS_RUN" | "$CHURN" --procs "$PROCS" >"$tmp/churn"
sleep 1 # the kernel announces destroys from a workqueue
t1=$(ticks "$watch_pid")
kdrops=$(joined_drops || true)
kill -INT "$watch_pid"
wait "$watch_pid"
after=$(opens)
load1=$(load)

hz=$(getconf CLK_TCK)
expected=$((after - before + PROCS))
if [[ -n ${TRANSITIONS:-} ]]; then
	reported=$(grep -c '"to":"CLOSE"' "$tmp/nd" || true)
	overflows=$({ grep -o '"lost":[0-9]*' "$tmp/nd" || true; } | awk -F: '{ n += $2 } END { print n + 0 }')
else
	reported=$(awk '/^sockscope_watch_closes_total\{protocol="tcp"/ { n += $2 } END { print n + 0 }' "$tmp/prom")
	overflows=$(awk '/^sockscope_watch_overflows_total/ { print $2 }' "$tmp/prom")
	dropped=$(awk '/^sockscope_watch_dropped_events_total/ { print $2 }' "$tmp/prom")
fi
# churn's last line: "cycles C errors E seconds S", exact once it stopped.
read -r cycles errors secs < <(awk '/^cycles/ { c = $2; e = $4; s = $6 } END { print c, e, s }' "$tmp/churn")
if [[ -n ${TRANSITIONS:-} ]]; then
	# The ring buffer's losses are transitions, not closes: no exact check.
	dropped=0 kdrops=0
fi
awk -v e="$expected" -v r="$reported" -v d="$dropped" -v kd="$kdrops" \
	-v o="$overflows" -v s="$secs" -v cy="$cycles" -v er="$errors" \
	-v p="$PROCS" -v c="$((t1 - t0))" -v hz="$hz" -v l0="$load0" \
	-v l1="$load1" -v tr="${TRANSITIONS:-}" 'BEGIN {
	ok = r + d == e && d == kd && 2 * cy + p == e && er == 0
	printf "closes (kernel) %d in %.1f s (%.0f/s); churn %d; rows %d, dropped %d (kernel %d), missing %d, overflows %d; %s; watch CPU %.1f%% of one core; load %s -> %s\n",
		e, s, e / s, 2 * cy + p, r, d, kd, e - r - d, o,
		ok ? "rows + dropped = kernel: OK" : "MISMATCH" (er ? " (churn errors " er ")" : ""),
		100 * c / hz / s, l0, l1
	exit !ok
}'
