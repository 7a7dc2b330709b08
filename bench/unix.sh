#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/unix.sh: time `sockscope -xa` and `-xap` beside ss, netstat and a
# bare unix_diag dump (floor -x) on N UNIX sockets, in a throwaway network
# namespace. See bench/README.md, "UNIX sockets (-xa)".
#
# Needs root. unix_diag lists only the sockets of the caller's network
# namespace (sock_net(sk) == net), so the dump sees unixfill's sockets and
# nothing of the host's; path names live in the file system, so the
# listeners bind under a private temporary directory.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")
BUILD_DIR=$BENCH_DIR/build
SELF=$BENCH_DIR/unix.sh
CMD_TIMEOUT=300
READY_TIMEOUT=600
# Kernel memory per UNIX socket is ~1-2 KiB; leave a wide margin.
KIB_PER_SOCKET=8

SIZE=100000
REPS=5
HOLDERS=4
SOCKSCOPE=
CSV=

usage()
{
	cat <<EOF
usage: bench/unix.sh [--size 100000] [--reps 5] [--holders 4]
                     [--sockscope PATH] [--csv FILE]

Fills a fresh network namespace with SIZE UNIX sockets (stream, dgram and
seqpacket socketpairs, abstract names, path-bound listeners with queued
connections) held by HOLDERS processes, and times, interleaved, --reps runs
of each command after one warm-up run (stdout to /dev/null). Prints median
wall time, ratios to 'floor -x' and to ss, and peak RSS. Must run as root.

  --size N         UNIX sockets to make, at least 16 (default 100000)
  --reps N         timed runs per command, at least 1 (default 5)
  --holders N      processes holding them (default 4; more when one may not
                   hold its share under RLIMIT_NOFILE)
  --sockscope PATH binary to test (default build/src/sockscope, else
                   build/sockscope; a missing one shows as n/a)
  --csv FILE       also write one row per command to FILE
EOF
}

die()
{
	echo "unix.sh: $*" >&2
	exit 1
}

note()
{
	echo "unix.sh: $*" >&2
}

CMD_NAMES=(
	"floor -x"
	"sockscope -xa"
	"ss -xa"
	"sockscope -xap"
	"ss -xap"
	"netstat -x -a"
	"netstat -x -a -p"
)
# The ss row each command is compared with (index into CMD_NAMES).
CMD_SS=(2 2 2 4 4 2 4)

# cmd_argv IDX: sets ARGV to command IDX.
cmd_argv()
{
	case $1 in
	0) ARGV=("$BUILD_DIR/floor" -x) ;;
	1) ARGV=("$SOCKSCOPE" -xa) ;;
	2) ARGV=(ss -xa) ;;
	3) ARGV=("$SOCKSCOPE" -xap) ;;
	4) ARGV=(ss -xap) ;;
	5) ARGV=(netstat -x -a) ;;
	6) ARGV=(netstat -x -a -p) ;;
	esac
}

build()
{
	local cflags=(-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes
		-Wstrict-prototypes -Wformat=2 -Wundef -Wvla -Wwrite-strings)

	mkdir -p "$BUILD_DIR"
	build_one floor "$BENCH_DIR/floor.c" "${cflags[@]}" "$BENCH_DIR/floor.c" -lmnl -pthread
	build_one timeit "$BENCH_DIR/timeit.c" "${cflags[@]}" "$BENCH_DIR/timeit.c"
	build_one unixfill "$BENCH_DIR/unixfill.c" "${cflags[@]}" "$BENCH_DIR/unixfill.c"
}

# build_one PROG SRC CC-ARGS...: rebuilds PROG if SRC is newer.
build_one()
{
	local prog=$1 src=$2

	shift 2
	[[ -x $BUILD_DIR/$prog && ! $src -nt $BUILD_DIR/$prog ]] && return 0
	cc "$@" -o "$BUILD_DIR/$prog" || die "building $prog failed"
}

check_env()
{
	local avail need tool

	[[ $(id -u) == 0 ]] || die "must run as root (network namespaces)"
	unshare -n true 2>/dev/null || die "unshare -n failed (util-linux, CAP_SYS_ADMIN)"
	for tool in cc ss awk; do
		command -v "$tool" >/dev/null || die "missing: $tool"
	done
	command -v netstat >/dev/null || note "netstat not found: its rows are n/a"
	if [[ -z $SOCKSCOPE ]]; then
		for SOCKSCOPE in "$ROOT_DIR/build/src/sockscope" "$ROOT_DIR/build/sockscope"; do
			[[ -x $SOCKSCOPE ]] && break
		done
	fi
	[[ -x $SOCKSCOPE ]] || note "no sockscope binary at $SOCKSCOPE: its rows are n/a"
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	need=$((SIZE * KIB_PER_SOCKET))
	((avail >= need)) || die "$SIZE sockets want $need KiB available, have $avail"
}

# counts WHEN: one line with the kernel's count (floor -x -c) and the rows
# of ss and sockscope; they must agree with unixfill's total.
# shellcheck disable=SC2153 # MADE is set by inner_main
counts()
{
	local when=$1 fl ssn ssc

	fl=$("$BUILD_DIR/floor" -x -c 2>&1 >/dev/null | awk '/^TOTAL/ { print $2 }')
	ssn=$(ss -Hxa | wc -l)
	ssc=$("$SOCKSCOPE" -Hxa 2>/dev/null | wc -l) || ssc=n/a
	echo "counts $when: made $MADE, floor -x $fl, ss -xa $ssn, sockscope -xa $ssc" >&2
	if [[ $fl != "$MADE" || $ssn != "$MADE" || $ssc != "$MADE" ]]; then
		echo "WARNING: counts $when differ: made $MADE floor $fl ss $ssn sockscope $ssc" >>"$RAW.warn"
	fi
}

time_cmd()
{
	local idx=$1 rep=$2 out status

	cmd_argv "$idx"
	out=$("$BUILD_DIR/timeit" -t "$CMD_TIMEOUT" "${ARGV[@]}" 2>>"$RAW.log") || out="0 0 125 0"
	printf '%s\t%s\t%s\n' "$idx" "$rep" "${out// /$'\t'}" >>"$RAW"
	# timeit: wall ns, peak RSS KiB, exit status, CPU ns
	read -r _ _ status _ <<<"$out"
	[[ $status == 0 ]]
}

inner_main()
{
	local line rep k idx n=${#CMD_NAMES[@]} ok=()

	PATH_DIR=$(mktemp -d /tmp/unixbench.XXXXXX)
	trap 'rm -rf "$PATH_DIR"' EXIT
	coproc FILLCO { exec "$BUILD_DIR/unixfill" -n "$SIZE" -H "$HOLDERS" -d "$PATH_DIR"; }
	read -r -t "$READY_TIMEOUT" line <&"${FILLCO[0]}" || die "unixfill did not get ready"
	[[ $line == READY* ]] || die "unixfill: $line"
	FILL_IN=${FILLCO[1]}
	read -r _ MADE USED <<<"$line"
	echo "load before $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW.meta"
	counts "before"
	for ((idx = 0; idx < n; idx++)); do
		ok[idx]=1
		time_cmd "$idx" 0 || ok[idx]=0
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		# Rotate the order so no command always runs first or last.
		for ((k = 0; k < n; k++)); do
			idx=$(((k + rep - 1) % n))
			((ok[idx])) || continue
			time_cmd "$idx" "$rep" || ok[idx]=0
		done
		note "round $rep of $REPS done"
	done
	counts "after"
	echo "load after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW.meta"
	echo "$MADE sockets held by $USED processes" >>"$RAW.meta"
	# EOF on its stdin lets unixfill end its holders; wait so the
	# namespace and the directory go with this process.
	eval "exec $FILL_IN>&-"
	wait "$FILLCO_PID" 2>/dev/null || true
}

report()
{
	local names

	names=$(printf '%s\n' "${CMD_NAMES[@]}")
	[[ -f $RAW.warn ]] && cat "$RAW.warn"
	awk -F'\t' -v reps="$REPS" -v ssmap="${CMD_SS[*]}" \
		-v names="$names" -v meta="$RAW.meta" -v csv="$CSV" '
	function median(i,    m, a, j, k, t) {
		m = cnt[i]
		for (j = 1; j <= m; j++) a[j] = t_[i, j]
		for (j = 2; j <= m; j++) for (k = j; k > 1 && a[k-1] > a[k]; k--) { t = a[k]; a[k] = a[k-1]; a[k-1] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	$2 > 0 && $5 == 0 { c = ++cnt[$1]; t_[$1, c] = $3 / 1e6; if ($4 > rss[$1]) rss[$1] = $4
		if (!($1 in mn) || $3 / 1e6 < mn[$1]) mn[$1] = $3 / 1e6
		if ($3 / 1e6 > mx[$1]) mx[$1] = $3 / 1e6 }
	END {
		n = split(names, nm, "\n"); split(ssmap, sm, " ")
		while ((getline l < meta) > 0) info = info (info ? "; " : "") l
		printf "# %s; median of %d interleaved runs after one warm-up, stdout to /dev/null\n", info, reps
		printf "%-20s %10s %9s %9s %8s %6s %12s\n", "command", "median ms", "min ms", "max ms", "x floor", "x ss", "peak RSS MB"
		if (csv != "") print "command,median_ms,min_ms,max_ms,x_floor,x_ss,peak_rss_mb,runs" > csv
		for (i = 0; i < n; i++) if (cnt[i]) med[i] = median(i)
		for (i = 0; i < n; i++) {
			if (!cnt[i]) { printf "%-20s %10s\n", nm[i + 1], "n/a"; continue }
			xf = cnt[0] ? sprintf("%.2f", med[i] / med[0]) : "n/a"
			s = sm[i + 1]; xs = cnt[s] ? sprintf("%.2f", med[i] / med[s]) : "n/a"
			printf "%-20s %10.1f %9.1f %9.1f %8s %6s %12.1f\n", nm[i + 1], med[i], mn[i], mx[i], xf, xs, rss[i] / 1024
			if (csv != "") printf "%s,%.2f,%.2f,%.2f,%s,%s,%.1f,%d\n", nm[i + 1], med[i], mn[i], mx[i], xf, xs, rss[i] / 1024, cnt[i] > csv
		}
	}' "$RAW"
}

main()
{
	local inner=0

	while (($#)); do
		case $1 in
		--size) SIZE=$2; shift ;;
		--reps) REPS=$2; shift ;;
		--holders) HOLDERS=$2; shift ;;
		--sockscope) SOCKSCOPE=$2; shift ;;
		--csv) CSV=$2; shift ;;
		--inner) inner=1; RAW=$2; shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	[[ $SIZE =~ ^[0-9]+$ ]] && ((SIZE >= 16)) || die "--size: need a count of at least 16"
	[[ $REPS =~ ^[0-9]+$ ]] && ((REPS >= 1)) || die "--reps: need a positive count"
	[[ $HOLDERS =~ ^[0-9]+$ ]] && ((HOLDERS >= 1 && HOLDERS <= 256)) ||
		die "--holders: need 1..256"
	if ((inner)); then
		inner_main
		return
	fi
	check_env
	build
	RAW=$(mktemp /tmp/unixbench-raw.XXXXXX)
	trap 'rm -f "$RAW" "$RAW".*' EXIT
	note "$SIZE UNIX sockets, $REPS rounds, sockscope $SOCKSCOPE"
	unshare -n "$SELF" --inner "$RAW" --size "$SIZE" --reps "$REPS" \
		--holders "$HOLDERS" --sockscope "$SOCKSCOPE" ||
		die "the measurement failed (see above)"
	report
}

main "$@"
