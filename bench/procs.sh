#!/bin/sh
# bench/procs.sh - time `sockscope -tanp` beside `ss -tanp` with many
# processes holding many sockets (default: 1,000 processes x 100 = 100,000
# TCP sockets), in a private network namespace. Needs root and a C compiler.
#
#   bench/procs.sh [SOCKSCOPE] [PROCS] [SOCKS_PER_PROC] [RUNS]
#
# Prints per command the best and the median wall time of RUNS runs, with
# and without -p, so the process-map cost shows apart from the listing.
set -eu

bin=${1:-build/src/sockscope}
procs=${2:-1000}
per=${3:-100}
runs=${4:-5}

if [ "${SOCKSCOPE_BENCH_INSIDE:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "procs.sh: needs root" >&2; exit 1; }
	SOCKSCOPE_BENCH_INSIDE=1 exec unshare -n "$0" "$(realpath "$bin")" \
		"$procs" "$per" "$runs"
fi

ip link set lo up
tmp=$(mktemp -d)
trap 'exec 3>&-; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# Each child: a listener, per/2 connections to it, accepted, listener
# closed: exactly `per` sockets (per even), all held until stdin closes.
cat > "$tmp/hold.c" <<'C'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(int port, int pairs, int ready)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)&a, sizeof(a)) || listen(l, pairs + 1)) {
		perror("hold: listen");
		exit(1);
	}
	for (int i = 0; i < pairs; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (connect(c, (void *)&a, sizeof(a)) || accept(l, NULL, NULL) < 0) {
			perror("hold: connect");
			exit(1);
		}
	}
	close(l);
	if (write(ready, "r", 1) != 1) {
		exit(1);
	}
	char b;
	while (read(0, &b, 1) > 0) {
	}
	exit(0);
}

int main(int argc, char **argv)
{
	int procs = atoi(argv[1]), pairs = atoi(argv[2]) / 2, p[2];
	char b;

	if (pipe(p)) {
		return 1;
	}
	for (int i = 0; i < procs; i++) {
		if (fork() == 0) {
			close(p[0]);
			child(20000 + i, pairs, p[1]);
		}
	}
	close(p[1]);
	for (int i = 0; i < procs; i++) {
		if (read(p[0], &b, 1) != 1) {
			fprintf(stderr, "hold: a child failed\n");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &b, 1) > 0) {
	}
	while (wait(NULL) > 0) {
	}
	return 0;
}
C
cc -O2 -o "$tmp/hold" "$tmp/hold.c"

mkfifo "$tmp/in" "$tmp/out"
"$tmp/hold" "$procs" "$per" < "$tmp/in" > "$tmp/out" &
exec 3> "$tmp/in"
read -r line < "$tmp/out"
[ "$line" = ready ] || { echo "procs.sh: holder failed" >&2; exit 1; }

echo "$procs processes x $per sockets: $(ss -tanH | wc -l) TCP sockets," \
	"$(ls /proc | grep -c '^[0-9]') processes on the host"
echo "ss: $(ss -V)"

# Wall time of one run in milliseconds.
one() {
	s=$(date +%s%N)
	"$@" > /dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}

bench() {
	label=$1
	shift
	"$@" > /dev/null # warm the caches once
	times=$(for _ in $(seq "$runs"); do one "$@"; done | sort -n)
	best=$(echo "$times" | head -n 1)
	median=$(echo "$times" | sed -n "$(( (runs + 1) / 2 ))p")
	printf '%-22s best %6s ms  median %6s ms  (%s lines)\n' "$label" \
		"$best" "$median" "$("$@" | wc -l)"
}

# Both must find the same owners, or the timing compares nothing.
echo "sockets with owners: ss $(ss -tanp | grep -c 'users:(')," \
	"sockscope $("$bin" -tanp | grep -c 'users:(')"

bench "ss -tanp" ss -tanp
bench "sockscope -tanp" "$bin" -tanp
bench "ss -tan" ss -tan
bench "sockscope -tan" "$bin" -tan
