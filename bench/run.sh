#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/run.sh: time sockscope beside ss, netstat and a bare netlink dump on
# N TCP sockets, each size in its own throwaway network namespace.
#
# Needs root, and installs nothing: see bench/README.md for the packages.
# Each size runs in a child of this script started under 'unshare -n', so the
# namespace dies with that child; the parent checks afterwards that no process
# is left in it.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")
BUILD_DIR=$BENCH_DIR/build
LOG_DIR=$BUILD_DIR/log
SELF=$BENCH_DIR/run.sh

# Listeners per namespace: "a few", and enough for one per fill holder.
LISTEN=32
# The first listener; `dport = :PORT_BASE` matches ~3% of the clients.
PORT_BASE=5000
# A command slower than this is killed and shown as n/a.
CMD_TIMEOUT=300
READY_TIMEOUT=900
# Measured on Linux 6.18: ~2.4 KiB per socket; leave a wide margin.
KIB_PER_SOCKET=8

CMD_NAMES=(
	"floor"
	"sockscope -tan"
	"sockscope -tan -j"
	"sockscope summary"
	"sockscope -tan state time-wait"
	"sockscope -tan dport = :$PORT_BASE"
	"ss -tan"
	"ss -tan state time-wait"
	"netstat -tan"
	"floor -1 (one walk)"
	"sockscope top -b --rows 40"
	"sockscope top -b (every row)"
)

usage()
{
	cat <<EOF
usage: bench/run.sh [--sizes 10000,150000,500000] [--reps 5] [--sockscope PATH]
                    [--csv FILE] [--unix N] [--build-only]

For each size, fills a fresh network namespace with that many TCP sockets
(2/3 ESTABLISHED, $LISTEN LISTEN, the rest TIME-WAIT) and times, interleaved,
--reps runs of each command (stdout to /dev/null). Prints median wall time,
ratios to the floor and to 'ss -tan', and peak RSS. Must run as root.

  --sizes LIST     comma-separated socket counts (default 10000,150000,500000)
  --reps N         timed runs per command and size, at least 1 (default 5)
  --sockscope PATH binary to test (default build/src/sockscope, else
                   build/sockscope; a missing one shows as n/a)
  --csv FILE       also write one row per size and command to FILE
  --unix N         then time N UNIX sockets (-xa, -xap) with bench/unix.sh
                   (same --reps and --sockscope; 0, the default: none)
  --build-only     compile fill, floor and timeit into bench/build and stop
EOF
}

die()
{
	echo "run.sh: $*" >&2
	exit 1
}

note()
{
	echo "run.sh: $*" >&2
}

# Microseconds since the epoch, without forking.
now_us()
{
	local t=$EPOCHREALTIME

	echo "${t/./}"
}

secs_since()
{
	awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
}

# Mix for a size: 2/3 established (whole pairs), LISTEN listeners (more if
# fill needs more holder processes than that: one listener each), the rest
# TIME-WAIT. Prints "EST TW LISTEN".
mix_of()
{
	local size=$1 est lst

	est=$((size * 2 / 3))
	est=$((est - est % 2))
	lst=$("$BUILD_DIR/fill" --established "$est" --time-wait "$((size - est - LISTEN))" \
		--listen "$LISTEN" --listeners-needed) || die "size $size: fill cannot plan it"
	echo "$est $((size - est - lst)) $lst"
}

# Sets ARGV to the command line of command number $1.
cmd_argv()
{
	case $1 in
	0) ARGV=("$BUILD_DIR/floor") ;;
	1) ARGV=("$SOCKSCOPE" -tan) ;;
	2) ARGV=("$SOCKSCOPE" -tan -j) ;;
	3) ARGV=("$SOCKSCOPE" summary) ;;
	4) ARGV=("$SOCKSCOPE" -tan state time-wait) ;;
	5) ARGV=("$SOCKSCOPE" -tan dport = ":$PORT_BASE") ;;
	6) ARGV=("$SS_BIN" -tan) ;;
	7) ARGV=("$SS_BIN" -tan state time-wait) ;;
	8) ARGV=("$NETSTAT_BIN" -tan) ;;
	9) ARGV=("$BUILD_DIR/floor" -1) ;;
	# One refresh of top: the page a screen shows, then every row (with
	# each row's tcp_info for the RTT column).
	10) ARGV=("$SOCKSCOPE" top -tan -b --iterations 1 --rows 40) ;;
	11) ARGV=("$SOCKSCOPE" top -tan -b --iterations 1) ;;
	*) die "no command $1" ;;
	esac
}

# ---------------------------------------------------------------- inner ---
# Runs inside the private namespace. Talks to fill over a coprocess: READY
# lines in, "refresh" lines out, EOF to make it let go.

FILLER_PID=
FILLER_IN=
FILLER_OUT=

inner_cleanup()
{
	local i

	[[ -n $FILLER_PID ]] || return 0
	if [[ -n $FILLER_OUT ]]; then
		exec {FILLER_OUT}>&-
		FILLER_OUT=
	fi
	# fill exits on stdin EOF; releasing 300k descriptors takes a few seconds.
	for ((i = 0; i < 600; i++)); do
		kill -0 "$FILLER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$FILLER_PID" 2>/dev/null; then
		note "fill did not exit on EOF; sending SIGTERM to $FILLER_PID"
		kill -TERM "$FILLER_PID" 2>/dev/null || true
	fi
	wait "$FILLER_PID" 2>/dev/null || true
	FILLER_PID=
}

wait_ready()
{
	local line

	if ! read -r -t "$READY_TIMEOUT" -u "$FILLER_IN" line || [[ $line != READY ]]; then
		die "fill did not get ready (see $SIZE_LOG)"
	fi
}

# Counts per state from floor -c, as "ESTAB TIME-WAIT LISTEN TOTAL".
count_states()
{
	"$BUILD_DIR/floor" -c 2>&1 >/dev/null | awk '
		{ n[$1] = $2 }
		END { printf "%d %d %d %d\n", n["ESTAB"], n["TIME-WAIT"], n["LISTEN"], n["TOTAL"] }'
}

# Compares the namespace with the requested mix; $1 names the moment.
verify()
{
	local when=$1 got want sss

	got=$(count_states)
	want="$EST $TW $LST $SIZE"
	sss=$("$SS_BIN" -s | sed -n 's/^TCP: *//p')
	echo "$when: floor -c ESTAB/TIME-WAIT/LISTEN/TOTAL = $got; ss -s: $sss" >>"$SIZE_LOG"
	if [[ $got != "$want" ]]; then
		note "size $SIZE $when: socket counts $got, expected $want"
		echo "count-mismatch $when" >>"$STATUS_FILE"
		return 1
	fi
	echo "run.sh: size $SIZE $when: ESTAB TIME-WAIT LISTEN TOTAL = $got (as requested);" \
		"ss -s: TCP $sss"
}

# One timed run: appends "size cmd rep ns kb status cpu_ns" to the raw file.
time_cmd()
{
	local idx=$1 rep=$2 out st

	cmd_argv "$idx"
	out=$("$BUILD_DIR/timeit" -t "$CMD_TIMEOUT" "${ARGV[@]}" 2>>"$SIZE_LOG") || out="0 0 125 0"
	printf '%s\t%s\t%s\t%s\n' "$SIZE" "$idx" "$rep" "${out// /$'\t'}" >>"$RAW"
	read -r _ _ st _ <<<"$out"
	[[ $st == 0 ]]
}

inner_main()
{
	local t0 t1 tr rep k idx n=${#CMD_NAMES[@]} ok=() last

	trap inner_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	readlink /proc/self/ns/net >"$NS_FILE"
	t0=$(now_us)
	# bash unsets the coprocess's own variables when it exits: keep copies.
	coproc FILLCO { exec "$BUILD_DIR/fill" --established "$EST" --time-wait "$TW" \
		--listen "$LST" --port-base "$PORT_BASE" 2>>"$SIZE_LOG"; }
	FILLER_PID=$FILLCO_PID
	FILLER_IN=${FILLCO[0]}
	FILLER_OUT=${FILLCO[1]}
	wait_ready
	echo "fill $(secs_since "$t0")" >>"$STATUS_FILE"
	sed -n 's/.*(\([0-9]*\) holder processes).*/holders \1/p' "$SIZE_LOG" >>"$STATUS_FILE"
	verify "after fill" >&2 || true
	# How selective the dport filter is, for reading its row.
	echo "dport $("$SS_BIN" -Htan dport = ":$PORT_BASE" | wc -l)" >>"$STATUS_FILE"
	# Warm-up (untimed): page cache, dentries; a command that fails here
	# is n/a for this size and not run again.
	for ((idx = 0; idx < n; idx++)); do
		ok[idx]=1
		time_cmd "$idx" 0 || ok[idx]=0
	done
	t1=$(now_us)
	for ((rep = 1; rep <= REPS; rep++)); do
		# TIME-WAIT lasts 60 s: renew it so every round sees the full mix.
		if ((TW > 0)); then
			tr=$(now_us)
			echo refresh >&"$FILLER_OUT"
			wait_ready
			echo "refresh $(secs_since "$tr")" >>"$STATUS_FILE"
		fi
		verify "round $rep" >/dev/null || true
		last=$(now_us)
		# Rotate the order so no command always runs first or last.
		for ((k = 0; k < n; k++)); do
			idx=$(((k + rep - 1) % n))
			((ok[idx])) || continue
			time_cmd "$idx" "$rep" || ok[idx]=0
		done
		echo "round $(secs_since "$last")" >>"$STATUS_FILE"
	done
	verify "after last round" >/dev/null || true
	echo "measure $(secs_since "$t1")" >>"$STATUS_FILE"
	inner_cleanup
}

# ---------------------------------------------------------------- outer ---

need_cmd()
{
	command -v "$1" >/dev/null 2>&1 || MISSING+=("$1 (Debian package: $2)")
}

check_deps()
{
	MISSING=()
	need_cmd cc gcc
	need_cmd unshare util-linux
	need_cmd ss iproute2
	need_cmd netstat net-tools
	need_cmd awk mawk
	need_cmd nproc coreutils
	if ((${#MISSING[@]})); then
		printf 'run.sh: missing: %s\n' "${MISSING[@]}" >&2
		die "install them (apt-get install -y ...) and retry"
	fi
	[[ -e /usr/include/libmnl/libmnl.h ]] ||
		die "missing: libmnl headers (Debian package: libmnl-dev)"
	[[ -e /usr/include/linux/inet_diag.h ]] ||
		die "missing: kernel uapi headers (Debian package: linux-libc-dev)"
	SS_BIN=$(command -v ss)
	NETSTAT_BIN=$(command -v netstat)
}

build()
{
	local cflags=(-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes
		-Wstrict-prototypes -Wformat=2 -Wundef -Wvla -Wwrite-strings)

	mkdir -p "$BUILD_DIR"
	build_one fill "${cflags[@]}" "$BENCH_DIR/fill.c" "$BENCH_DIR/fill_net.c"
	build_one floor "${cflags[@]}" "$BENCH_DIR/floor.c" -lmnl -pthread
	build_one timeit "${cflags[@]}" "$BENCH_DIR/timeit.c"
}

# build_one PROG CC-ARGS...: rebuilds PROG if any bench source is newer.
build_one()
{
	local prog=$1 src

	shift
	for src in "$BENCH_DIR"/*.[ch] ""; do
		[[ -n $src && -x $BUILD_DIR/$prog && ! $src -nt $BUILD_DIR/$prog ]] || break
	done
	[[ -n $src ]] || return 0
	cc "$@" -o "$BUILD_DIR/$prog" || die "building $prog failed"
}

check_env()
{
	[[ $(id -u) == 0 ]] || die "must run as root (network namespaces, sysctls)"
	unshare -n true 2>/dev/null ||
		die "'unshare -n' failed: no permission to create network namespaces"
	# Namespaces share the host's TCP hash table unless given their own
	# (Linux 6.1+). A dump walks every bucket and skips other namespaces'
	# sockets, so sockets elsewhere on the machine would slow ours down.
	# Give each size a private table the size of the host's: same walk,
	# none of the interference.
	EHASH=
	if [[ -w /proc/sys/net/ipv4/tcp_child_ehash_entries ]]; then
		EHASH=$(cat /proc/sys/net/ipv4/tcp_ehash_entries)
		EHASH=${EHASH#-}
	fi
}

# Global TCP socket allocation ("alloc" in /proc/net/sockstat counts every
# namespace, dying ones included).
tcp_alloc()
{
	awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "alloc") print $(i + 1) }' \
		/proc/net/sockstat
}

check_memory()
{
	local size=$1 avail need

	avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
	need=$((size * KIB_PER_SOCKET))
	((need < avail)) ||
		die "size $size needs ~$((need / 1024)) MiB, only $((avail / 1024)) MiB available"
}

# Fails if any process still lives in the namespace a size ran in.
check_no_leak()
{
	local ns p leaked=()

	ns=$(cat "$NS_FILE" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		if [[ $(readlink "$p/ns/net" 2>/dev/null) == "$ns" ]]; then
			leaked+=("${p#/proc/}")
		fi
	done
	((${#leaked[@]} == 0)) ||
		die "processes left in the benchmark namespace $ns: ${leaked[*]}"
}

# The kernel frees a dead namespace's sockets in the background; wait so the
# next size is not timed against that work. Done when the global count is back
# to where it started, or has stopped falling for a second (other namespaces
# on the machine may hold sockets of their own).
wait_teardown()
{
	local i cur prev=-1 still=0

	for ((i = 0; i < 600; i++)); do
		cur=$(tcp_alloc)
		((cur > BASE_ALLOC + 64)) || return 0
		if ((prev >= 0 && cur >= prev)); then
			((++still < 10)) || return 0
		else
			still=0
		fi
		prev=$cur
		sleep 0.1
	done
	note "TCP sockets still being freed after 60 s: $cur (baseline $BASE_ALLOC)"
}

INNER_PID=

outer_cleanup()
{
	if [[ -n $INNER_PID ]] && kill -0 "$INNER_PID" 2>/dev/null; then
		kill -TERM "$INNER_PID" 2>/dev/null || true
		wait "$INNER_PID" 2>/dev/null || true
	fi
}

run_size()
{
	local size=$1 t0 rc=0

	read -r EST TW LST < <(mix_of "$size")
	SIZE=$size
	SIZE_LOG=$LOG_DIR/size-$size.log
	STATUS_FILE=$LOG_DIR/size-$size.status
	NS_FILE=$LOG_DIR/size-$size.netns
	: >"$SIZE_LOG"
	echo "mix $EST $TW $LST" >"$STATUS_FILE"
	export SIZE EST TW LST REPS SOCKSCOPE SS_BIN NETSTAT_BIN RAW SIZE_LOG STATUS_FILE NS_FILE
	check_memory "$size"
	note "size $size: $EST ESTAB + $TW TIME-WAIT + $LST LISTEN; filling"
	t0=$(now_us)
	if [[ -n $EHASH ]]; then
		# tcp_child_ehash_entries sizes the hash of namespaces created from
		# the one it is set in: set it in a scratch namespace, not the host's.
		unshare -n -- bash -c 'echo "$1" >/proc/sys/net/ipv4/tcp_child_ehash_entries &&
			exec unshare -n -- bash "$2" --inner' ehash "$EHASH" "$SELF" &
	else
		unshare -n -- bash "$SELF" --inner &
	fi
	INNER_PID=$!
	wait "$INNER_PID" || rc=$?
	INNER_PID=
	check_no_leak
	((rc == 0)) || die "size $size failed (exit $rc); log: $SIZE_LOG"
	echo "total $(secs_since "$t0")" >>"$STATUS_FILE"
	t0=$(now_us)
	wait_teardown
	echo "teardown $(secs_since "$t0")" >>"$STATUS_FILE"
	note "size $size: done in $(awk '$1 == "total" { print $2 }' "$STATUS_FILE") s"
}

machine_header()
{
	local cpu mem avail

	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '$1 == "MemTotal:" { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
	avail=$(awk '$1 == "MemAvailable:" { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
	echo "# sockscope benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# machine: $(nproc) CPUs ($cpu), kernel $(uname -r), memory ${mem} GiB" \
		"(${avail} GiB available)"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(other work on the machine shows up as noise: see min..max)"
	echo "# tools: $("$SS_BIN" -V 2>&1 | head -n1), $("$NETSTAT_BIN" -V 2>&1 | head -n1)"
	if [[ -x $SOCKSCOPE ]]; then
		echo "# sockscope: $SOCKSCOPE"
	else
		echo "# sockscope: $SOCKSCOPE (not found: its rows are n/a)"
	fi
	if [[ -n $EHASH ]]; then
		echo "# namespaces: private TCP hash table of $EHASH buckets (the host's size)," \
			"so sockets elsewhere on the machine do not slow the dumps"
	else
		echo "# namespaces: share the host's TCP hash table (no tcp_child_ehash_entries);" \
			"TCP sockets elsewhere on the machine slow every dump"
	fi
	echo "# mix: 2/3 ESTABLISHED (both ends of loopback pairs), $LISTEN LISTEN" \
		"(more if fill needs more holder processes: one each), the rest TIME-WAIT; all IPv4"
	echo "# median of $REPS interleaved runs after one warm-up run, stdout to /dev/null;" \
		"wall time from spawn to exit; peak RSS = max ru_maxrss"
}

# Turns raw.tsv ("size cmd rep ns kb status", rep 0 = warm-up) and each
# size's status file into tables on stdout and, with --csv, CSV rows.
# A command is n/a for a size if any of its runs, warm-up included, failed.
REPORT_AWK='
function fmt_ms(ns) { return sprintf("%.1f", ns / 1e6) }
function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
function median_cpu(key,    n, i, j, v, t) {
	n = cnt[key]
	for (i = 1; i <= n; i++) { v[i] = c_ns[key, i] }
	for (i = 2; i <= n; i++) {
		t = v[i]
		for (j = i - 1; j >= 1 && v[j] > t; j--) { v[j + 1] = v[j] }
		v[j + 1] = t
	}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function median(key,    n, i, j, v, t) {
	n = cnt[key]
	for (i = 1; i <= n; i++) { v[i] = t_ns[key, i] }
	for (i = 2; i <= n; i++) {
		t = v[i]
		for (j = i - 1; j >= 1 && v[j] > t; j--) { v[j + 1] = v[j] }
		v[j + 1] = t
	}
	lo[key] = v[1]; hi[key] = v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function max_of(list,    v, n, i, m) {
	n = split(list, v, " ")
	m = 0
	for (i = 1; i <= n; i++) { if (v[i] + 0 > m) { m = v[i] + 0 } }
	return m
}
function status_of(size, what,    f, line, parts, r) {
	f = logdir "/size-" size ".status"
	r = ""
	while ((getline line < f) > 0) {
		split(line, parts, " ")
		if (parts[1] == what) { r = (r == "" ? "" : r " ") substr(line, length(what) + 2) }
	}
	close(f)
	return r
}
BEGIN {
	ncmd = split(names, name, "\n")
	if (csv != "") {
		print "size,command,median_ms,min_ms,max_ms,x_floor,x_ss_tan,peak_rss_mb,runs,status,cpu_ms" > csv
	}
}
{
	size = $1; idx = $2 + 1; key = size SUBSEP idx
	if (!(size in seen)) { seen[size] = 1; order[++nsize] = size }
	if ($6 != 0) { fail[key] = $6; next }
	if ($3 == 0) { next }
	t_ns[key, ++cnt[key]] = $4
	c_ns[key, cnt[key]] = $7 + 0
	if ($5 > rss[key]) { rss[key] = $5 }
}
END {
	for (s = 1; s <= nsize; s++) { table(order[s]) }
}
function table(size,    i, key, med, fl, ss, mix, m, rounds, rs, st, nr, k, sum) {
	for (i = 1; i <= ncmd; i++) {
		key = size SUBSEP i
		ok[key] = !(key in fail) && cnt[key] > 0
		if (ok[key]) { med[i] = median(key) }
	}
	fl = ok[size SUBSEP 1] ? med[1] : 0
	ss = ok[size SUBSEP 7] ? med[7] : 0
	split(status_of(size, "mix"), m, " ")
	nr = split(status_of(size, "round"), rs, " ")
	sum = 0; for (k = 1; k <= nr; k++) { sum += rs[k] }
	printf "\n## %d TCP sockets: %d ESTABLISHED, %d TIME-WAIT, %d LISTEN\n", size, m[1], m[2], m[3]
	printf "## fill %s s (%s holder processes); %d timed rounds %.1f s (longest %.1f s), " \
		"each after a TIME-WAIT refresh (longest %.1f s); whole size %s s; teardown %s s\n", \
		status_of(size, "fill"), status_of(size, "holders"), nr, sum, max_of(status_of(size, "round")), \
		max_of(status_of(size, "refresh")), status_of(size, "total"), status_of(size, "teardown")
	printf "## \"dport = :%d\" matches %s sockets; \"state time-wait\" matches %d\n", \
		port, status_of(size, "dport"), m[2]
	st = status_of(size, "count-mismatch")
	if (st != "") { printf "## WARNING: socket counts differed from the mix at: %s\n", st }
	printf "%-34s %10s %8s %10s %12s %5s  %-16s %s\n", "command", "median ms", "x floor", \
		"x ss -tan", "peak RSS MB", "runs", "min..max ms", "CPU ms"
	for (i = 1; i <= ncmd; i++) {
		key = size SUBSEP i
		if (!ok[key]) {
			printf "%-34s %10s %8s %10s %12s %5s  %s\n", name[i], "n/a", "-", "-", "-", \
				cnt[key] + 0, (key in fail) ? "exit " fail[key] : "no runs"
			if (csv != "") {
				printf "%d,\"%s\",,,,,,,%d,n/a (exit %s)\n", size, name[i], cnt[key], \
					fail[key] > csv
			}
			continue
		}
		printf "%-34s %10s %8s %10s %12.1f %5d  %-16s %s\n", name[i], fmt_ms(med[i]), \
			ratio(med[i], fl), ratio(med[i], ss), rss[key] / 1024, cnt[key], \
			fmt_ms(lo[key]) ".." fmt_ms(hi[key]), fmt_ms(median_cpu(key))
		if (csv != "") {
			printf "%d,\"%s\",%s,%s,%s,%s,%s,%.1f,%d,ok,%s\n", size, name[i], fmt_ms(med[i]), \
				fmt_ms(lo[key]), fmt_ms(hi[key]), ratio(med[i], fl), ratio(med[i], ss), \
				rss[key] / 1024, cnt[key], fmt_ms(median_cpu(key)) > csv
		}
	}
}
'

report()
{
	local names

	names=$(printf '%s\n' "${CMD_NAMES[@]}")
	awk -F'\t' -v names="$names" -v csv="${CSV:-}" -v logdir="$LOG_DIR" -v port="$PORT_BASE" \
		"$REPORT_AWK" "$RAW"
}

main()
{
	local sizes=10000,150000,500000 size
	local -A seen=()

	REPS=5
	SOCKSCOPE=
	CSV=
	UNIX_SIZE=0
	while (($#)); do
		case $1 in
		--sizes) sizes=${2:?--sizes needs a list}; shift 2 ;;
		--reps) REPS=${2:?--reps needs a number}; shift 2 ;;
		--sockscope) SOCKSCOPE=${2:?--sockscope needs a path}; shift 2 ;;
		--csv) CSV=${2:?--csv needs a file}; shift 2 ;;
		--unix) UNIX_SIZE=${2:?--unix needs a number}; shift 2 ;;
		--build-only) check_deps; build; exit 0 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "--reps: not a positive number: $REPS"
	[[ $UNIX_SIZE =~ ^[0-9]+$ ]] || die "--unix: not a number: $UNIX_SIZE"
	[[ $sizes =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sizes: not a list of numbers: $sizes"
	for size in ${sizes//,/ }; do
		((size >= LISTEN + 2)) || die "--sizes: $size is too small (minimum $((LISTEN + 2)))"
		[[ -z ${seen[$size]-} ]] || die "--sizes: $size given twice"
		seen[$size]=1
	done
	if [[ -z $SOCKSCOPE ]]; then
		SOCKSCOPE=$ROOT_DIR/build/src/sockscope
		[[ -x $SOCKSCOPE || ! -x $ROOT_DIR/build/sockscope ]] ||
			SOCKSCOPE=$ROOT_DIR/build/sockscope
	fi
	[[ $SOCKSCOPE == /* ]] || SOCKSCOPE=$PWD/$SOCKSCOPE
	[[ -z $CSV || $CSV == /* ]] || CSV=$PWD/$CSV
	check_env
	check_deps
	build
	mkdir -p "$LOG_DIR"
	RAW=$LOG_DIR/raw.tsv
	: >"$RAW"
	BASE_ALLOC=$(tcp_alloc)
	trap outer_cleanup EXIT
	trap 'note "interrupted; cleaning up"; exit 130' INT TERM HUP
	machine_header | tee "$LOG_DIR/header.txt"
	for size in ${sizes//,/ }; do
		run_size "$size"
	done
	report
	if ((UNIX_SIZE)); then
		"$ROOT_DIR/bench/unix.sh" --size "$UNIX_SIZE" --reps "$REPS" \
			--sockscope "$SOCKSCOPE"
	fi
}

if [[ ${1-} == --inner ]]; then
	inner_main
else
	main "$@"
fi
