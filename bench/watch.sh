#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/watch.sh: `sockscope watch` under a storm of closes, in a throwaway
# network namespace. The churn helper (tests/integration/churn.c, built by
# meson) opens and closes loopback connections (and with --udp, UDP
# sockets) as fast as it can or at --rate closes/s; watch counts the closes
# it is told of (--format prometheus, or every row with --format ndjson)
# and the events the kernel dropped. The kernel's own count for TCP is
# ActiveOpens + PassiveOpens from /proc/net/snmp (each opened socket is
# destroyed once; a socket that never connected counts in neither, so churn
# stops its workers between cycles), plus the churn listeners. UDP has no
# such counter: its count is churn's (exact once churn has stopped), plus
# its sinks. Exactly once: rows + dropped == that count, and the kernel's
# drops for watch's socket (/proc/net/netlink) == watch's dropped. CPU is
# watch's utime + stime from /proc/PID/stat.
#
#   bench/watch.sh [--seconds S] [--procs N] [--udp N] [--rate R]
#                  [--format prometheus|ndjson] [--build DIR] [--transitions]
#
# --procs: TCP churn workers (default 2, 0 with --udp for UDP alone);
# --udp: UDP churn workers (default 0), watch then follows UDP too;
# --rate: closes per second over all workers (default: as fast as they can);
# --format ndjson: watch writes a row per close (to a file here), counted.
# --transitions: the BPF backend instead (watch --transitions --format
# ndjson state close, every move into CLOSE), its rows counted; "lost" are
# the transitions the ring buffer had no room for. TCP only.
#
# Needs root (unshare -n). Prints one line of figures on stdout and exits 1
# when a check fails.

set -euo pipefail

SECONDS_RUN=30
PROCS=2
UDP=0
RATE=0
FORMAT=prometheus
BUILD=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build

while (($#)); do
	case $1 in
	--seconds) SECONDS_RUN=$2; shift 2 ;;
	--procs) PROCS=$2; shift 2 ;;
	--udp) UDP=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	--format) FORMAT=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--inner) INNER=1; shift ;;
	--transitions) TRANSITIONS=1; shift ;;
	*) echo "bench/watch.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
case $FORMAT in
prometheus | ndjson) ;;
*) echo "bench/watch.sh: --format prometheus or ndjson" >&2; exit 2 ;;
esac
if [[ -n ${TRANSITIONS:-} ]] && ((UDP)); then
	echo "bench/watch.sh: --transitions follows TCP only: not with --udp" >&2
	exit 2
fi

SOCKSCOPE=$BUILD/src/sockscope
CHURN=$BUILD/tests/integration/churn
for f in "$SOCKSCOPE" "$CHURN"; do
	[[ -x $f ]] || { echo "bench/watch.sh: $f missing (meson compile -C $BUILD)" >&2; exit 1; }
done

if [[ -z ${INNER:-} ]]; then
	exec unshare -n "$0" --inner --seconds "$SECONDS_RUN" --procs "$PROCS" \
		--udp "$UDP" --rate "$RATE" --format "$FORMAT" \
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
protos=-t
((UDP)) && protos=-tu
before=$(opens)
if [[ -n ${TRANSITIONS:-} ]]; then
	"$SOCKSCOPE" watch --transitions --format ndjson state close >"$tmp/out" &
elif [[ $FORMAT == ndjson ]]; then
	"$SOCKSCOPE" watch $protos --format ndjson >"$tmp/out" &
else
	"$SOCKSCOPE" watch $protos --format prometheus --interval 0 >"$tmp/out" &
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
sleep "$SECONDS_RUN" | "$CHURN" --procs "$PROCS" --udp "$UDP" --rate "$RATE" >"$tmp/churn"
sleep 1 # the kernel announces destroys from a workqueue (UDP after RCU)
t1=$(ticks "$watch_pid")
kdrops=$(joined_drops || true)
kill -INT "$watch_pid"
wait "$watch_pid"
after=$(opens)
load1=$(load)

hz=$(getconf CLK_TCK)
# churn's last line: "cycles C errors E seconds S udp U", exact once it
# stopped.
read -r cycles errors secs udp < <(awk '/^cycles/ { c = $2; e = $4; s = $6; u = $8 } END { print c, e, s, u }' "$tmp/churn")
tcp_kernel=$((after - before + PROCS))
twice=
udp_churn=$((udp + UDP))
if [[ -n ${TRANSITIONS:-} ]]; then
	tcp_rows=$(grep -c '"to":"CLOSE"' "$tmp/out" || true)
	udp_rows=0
	# The ring buffer's losses are transitions, not closes: no exact check.
	overflows=$({ grep -o '"lost":[0-9]*' "$tmp/out" || true; } | awk -F: '{ n += $2 } END { print n + 0 }')
	dropped=0 kdrops=0
elif [[ $FORMAT == ndjson ]]; then
	tcp_rows=$(grep -c '"event":"close","netid":"tcp"' "$tmp/out" || true)
	udp_rows=$(grep -c '"event":"close","netid":"udp"' "$tmp/out" || true)
	dropped=$({ grep -o '"lost":[0-9]*' "$tmp/out" || true; } | awk -F: '{ n += $2 } END { print n + 0 }')
	overflows=$({ grep -c '"lost":' "$tmp/out" || true; })
	# Exactly once, not just as many: no socket's cookie twice.
	twice=$(grep -o '"cookie":[0-9]*' "$tmp/out" | sort | uniq -d | wc -l)
else
	tcp_rows=$(awk '/^sockscope_watch_closes_total\{protocol="tcp"/ { n += $2 } END { print n + 0 }' "$tmp/out")
	udp_rows=$(awk '/^sockscope_watch_closes_total\{protocol="udp"/ { n += $2 } END { print n + 0 }' "$tmp/out")
	overflows=$(awk '/^sockscope_watch_overflows_total/ { print $2 }' "$tmp/out")
	dropped=$(awk '/^sockscope_watch_dropped_events_total/ { print $2 }' "$tmp/out")
fi
awk -v tk="$tcp_kernel" -v uc="$udp_churn" -v tr="$tcp_rows" \
	-v ur="$udp_rows" -v d="$dropped" -v kd="$kdrops" -v o="$overflows" \
	-v s="$secs" -v cy="$cycles" -v er="$errors" -v p="$PROCS" \
	-v c="$((t1 - t0))" -v hz="$hz" -v l0="$load0" -v l1="$load1" \
	-v udp="$UDP" -v twice="$twice" 'BEGIN {
	e = tk + uc
	r = tr + ur
	ok = r + d == e && d == kd && 2 * cy + p == tk && er == 0 && twice + 0 == 0
	printf "closes %d in %.1f s (%.0f/s): tcp %d (kernel; churn %d)", e, s, e / s, tk, 2 * cy + p
	if (udp)
		printf ", udp %d (churn)", uc
	printf "; rows %d", r
	if (udp)
		printf " (tcp %d, udp %d)", tr, ur
	printf ", dropped %d (kernel %d), missing %d, overflows %d", d, kd, e - r - d, o
	if (twice != "")
		printf ", cookies twice %d", twice
	printf "; %s; watch CPU %.1f%% of one core; load %s -> %s\n",
		ok ? "rows + dropped = closes: OK" : "MISMATCH" (er ? " (churn errors " er ")" : ""),
		100 * c / hz / s, l0, l1
	exit !ok
}'
