#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/netns.sh: --all-netns at scale (issue 19). NS namespaces of PER
# sockets each, listed with `sockscope --all-netns -tan`, beside one
# namespace holding all NS x PER sockets (`sockscope -tan` there) and a
# shell loop of `ss -N NAME -tan` over the same namespaces; the /proc walk
# of discovery timed alone (`--all-netns` with a filter nothing matches
# and no namespace but the first holding sockets is close, so the
# discovery run is listed separately on the host's real /proc too).
#
# Needs root; runs in a private mount and PID namespace (a tmpfs on /run,
# the namespaces named there for ss -N); see bench/README.md.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")
BUILD_DIR=$BENCH_DIR/build
NS=200
PER=500
REPS=5
SOCKSCOPE=$ROOT_DIR/build/src/sockscope

usage()
{
	cat <<EOF
usage: bench/netns.sh [--namespaces 200] [--per 500] [--reps 5] [--sockscope PATH]
                      [--own-ehash] [--baseline PATH]

Fills NS namespaces with PER TCP sockets each (ESTABLISHED pairs and 32
listeners) and one namespace with NS x PER, then prints the median wall
time of: sockscope --all-netns -tan; sockscope -tan in the big namespace;
a shell loop of ss -N over the NS namespaces; the discovery alone (the
host's /proc, and the benchmark's); and the kernel's floor: bench/floor
dumping TCP once per namespace (sequentially and on one thread per CPU,
with and without the bound-inactive walk that -a asks for).

--baseline PATH also times another sockscope build's --all-netns -tan
(one from before a change) in the same run.

--own-ehash gives every namespace a TCP hash table of its own
(net.ipv4.tcp_child_ehash_entries, set in a scratch parent namespace):
without it, as on a container host, they share the host's, and every
namespace's dump walks every socket of all of them.
EOF
}

while (($#)); do
	case $1 in
	--namespaces) NS=$2; shift 2 ;;
	--per) PER=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--sockscope) SOCKSCOPE=$2; shift 2 ;;
	--own-ehash) OWN_EHASH=1; shift ;;
	--baseline) BASELINE=$2; shift 2 ;;
	--inner) INNER=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

die()
{
	echo "netns.sh: $*" >&2
	exit 1
}

if [[ -z ${INNER:-} ]]; then
	((EUID == 0)) || die "needs root"
	[[ -x $SOCKSCOPE ]] || die "no sockscope at $SOCKSCOPE"
	"$BENCH_DIR/run.sh" --build-only >/dev/null
	# Discovery alone on the host's /proc: -N of a name nothing has
	# walks every source, then fails.
	out=$("$BUILD_DIR/timeit" -t 600 "$SOCKSCOPE" -N sockscope-bench-none 2>/dev/null)
	printf '%-52s %10s\n' "discovery alone, host /proc ($(ls -d /proc/[0-9]* | wc -l) processes)" \
		"$(awk '{printf "%.1f", $1 / 1e6}' <<<"$out")"
	exec unshare -m -p -f --mount-proc ${OWN_EHASH:+-n} -- bash "$0" \
		--inner --namespaces "$NS" --per "$PER" --reps "$REPS" \
		--sockscope "$SOCKSCOPE" ${OWN_EHASH:+--own-ehash} \
		${BASELINE:+--baseline "$BASELINE"}
fi

mount --make-rprivate /
mount -t tmpfs netns-bench /run
# Hash tables of their own for the namespaces made from here on.
ehash()
{
	[[ -z ${OWN_EHASH:-} ]] || echo "$1" >/proc/sys/net/ipv4/tcp_child_ehash_entries
}
[[ -z ${OWN_EHASH:-} ]] || ip link set lo up
mkdir -p /run/netns
WORK=$(mktemp -d)
mkfifo "$WORK/small" "$WORK/big"
# Every fill of a phase reads its FIFO: closing our end lets them all go.
exec 3<>"$WORK/small" 4<>"$WORK/big"

# ESTABLISHED pairs (even) and 32 listeners: per sockets, no TIME-WAIT
# (it would expire during the runs).
fill_ns()
{
	local name=$1 total=$2 hold=$3 out=$WORK/$1.out
	local est=$(((total - 32) / 2 * 2))

	unshare -n -- "$BUILD_DIR/fill" --established "$est" --time-wait 0 \
		--listen 32 <"$hold" >"$out" 2>"$WORK/$name.err" 3>&- 4>&- &
	local pid=$!
	until grep -q READY "$out" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || die "fill for $name failed: $(cat "$WORK/$name.err")"
		sleep 0.02
	done
	touch "/run/netns/$name"
	mount --bind "/proc/$pid/ns/net" "/run/netns/$name"
}

median()
{
	sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# Median wall ms of REPS runs of a command (stdout to /dev/null).
timed()
{
	local i out
	for ((i = 0; i < REPS; i++)); do
		out=$("$BUILD_DIR/timeit" -t 600 "$@" 2>/dev/null)
		echo "${out%% *}"
	done | median | awk '{printf "%.1f", $1 / 1e6}'
}

row()
{
	printf '%-52s %10s\n' "$1" "$2"
}

echo "# filling $NS namespaces x $PER sockets" >&2
ehash $((PER * 2))
for ((i = 0; i < NS; i++)); do
	fill_ns "n$i" "$PER" "$WORK/small"
done
SS_LOOP='for ns in $(seq 0 '$((NS - 1))'); do ss -N "n$ns" -tan; done'
NSFILES=()
for ((i = 0; i < NS; i++)); do
	NSFILES+=("/run/netns/n$i")
done
CPUS=$(nproc)
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg), $CPUS CPUs" >&2
row "command" "median ms"
row "sockscope --all-netns -tan ($NS ns + this one)" \
	"$(timed "$SOCKSCOPE" --all-netns -tan)"
if [[ -n ${BASELINE:-} ]]; then
	row "baseline --all-netns -tan" "$(timed "$BASELINE" --all-netns -tan)"
fi
row "floor -1 -b: one TCP dump per namespace, 1 thread" \
	"$(timed "$BUILD_DIR/floor" -1 -b "${NSFILES[@]}")"
row "floor -1 -b -j $CPUS: the same on $CPUS threads" \
	"$(timed "$BUILD_DIR/floor" -1 -b -j "$CPUS" "${NSFILES[@]}")"
row "floor -1 -j $CPUS: no bound-inactive walk" \
	"$(timed "$BUILD_DIR/floor" -1 -j "$CPUS" "${NSFILES[@]}")"
row "discovery alone (-N of no namespace)" \
	"$(timed "$SOCKSCOPE" -N sockscope-bench-none)"
row "sockscope --all-netns -tan exclude closed" \
	"$(timed "$SOCKSCOPE" --all-netns -tan exclude closed)"
row "ss -N loop over $NS namespaces (sh)" "$(timed sh -c "$SS_LOOP")"
row "sockscope --all-netns -tn sport = :1 (walks)" \
	"$(timed "$SOCKSCOPE" --all-netns -tn sport = :1)"
exec 3>&-
for ((i = 0; i < NS; i++)); do
	umount "/run/netns/n$i" && rm "/run/netns/n$i"
done
sleep 2

echo "# filling one namespace with $((NS * PER)) sockets" >&2
ehash $((NS * PER * 2))
fill_ns big $((NS * PER)) "$WORK/big"
row "sockscope -N big -tan ($((NS * PER)) sockets)" \
	"$(timed "$SOCKSCOPE" -N big -tan)"
row "sockscope -N big -tan exclude closed" \
	"$(timed "$SOCKSCOPE" -N big -tan exclude closed)"
row "ss -N big -tan" "$(timed ss -N big -tan)"
row "floor -1 -b in big" "$(timed "$BUILD_DIR/floor" -1 -b /run/netns/big)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec 4>&-
wait
rm -rf "$WORK"
