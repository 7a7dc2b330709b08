// SPDX-License-Identifier: MIT
/*
 * What the command line tells its user: the --help text, and the one-line
 * usage errors, escaped whole because they quote argv (opts_internal.h).
 */
#include "opts_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "util.h"

const char opts_usage_text[] =
    "Usage: sockscope [list] [OPTIONS] [FILTER]\n"
    "       sockscope kill [--yes [--force]] [OPTIONS] FILTER\n"
    "       sockscope summary [OPTIONS] [FILTER]   (or -s)\n"
    "       sockscope advise [OPTIONS] [FILTER]\n"
    "       sockscope top [OPTIONS] [FILTER]\n"
    "       sockscope explain [STATE | SYSCTL | port :PORT] [OPTIONS]\n"
    "       sockscope diagram [--interval S] [OPTIONS] [FILTER]\n"
    "       sockscope watch [--transitions] [--count N] [--duration S]\n"
    "                       [OPTIONS] [FILTER]\n"
    "\n"
    "List sockets, like ss. FILTER: [state NAME | exclude NAME]... "
    "[EXPRESSION]\n"
    "\n"
    "  -t, --tcp            TCP sockets\n"
    "  -u, --udp            UDP sockets (default: TCP and UDP)\n"
    "  -x, --unix           UNIX sockets (stream, dgram, seqpacket)\n"
    "  -0, --packet         PACKET sockets (raw and dgram)\n"
    "  -M, --mptcp          MPTCP sockets (their subflows are TCP's)\n"
    "  -w, --raw            RAW sockets (raw_diag, else /proc/net/raw)\n"
    "  -S, --sctp           SCTP sockets (needs sctp_diag)\n"
    "      --vsock          VSOCK sockets (stream, dgram, seqpacket)\n"
    "      --tipc, --xdp, --dccp  not listed: a notice says whether the\n"
    "                       kernel has their diag module\n"
    "  -A, --query, --socket QUERY[,QUERY]  tables as ss names them: inet,\n"
    "                       tcp, udp, unix, unix_stream, unix_dgram,\n"
    "                       unix_seqpacket, packet, packet_raw,\n"
    "                       packet_dgram, netlink, mptcp, raw, sctp,\n"
    "                       vsock, vsock_stream, vsock_dgram,\n"
    "                       vsock_seqpacket, tipc, xdp, dccp, all;\n"
    "                       the Netid names (u_str, p_raw, v_dgr...);\n"
    "                       !NAME takes a table out (all,!unix)\n"
    "  -f, --family FAMILY  inet, inet6, unix, link, netlink, vsock, tipc\n"
    "                       or xdp\n"
    "  -4, --ipv4           IPv4 only\n"
    "  -6, --ipv6           IPv6 only\n"
    "  -l, --listening      listening and unconnected sockets only\n"
    "  -a, --all            sockets in every state\n"
    "  -n, --numeric        numeric ports, no service names\n"
    "  -H, --no-header      no header line\n"
    "  -p, --processes      owning processes (name, pid, fd)\n"
    "  -o, --options        timers\n"
    "  -e, --extended       uid, inode, cookie, fwmark, cgroup, v6only, "
    "shutdown;\n"
    "                       implies -o\n"
    "  -m, --memory         socket memory (skmem)\n"
    "  -i, --info           TCP internals (tcp_info, congestion control)\n"
    "  -N, --net NAME|PATH  run in network namespace NAME (/run/netns) or "
    "PATH,\n"
    "                       or a container id prefix, pod uid or unit\n"
    "      --all-netns      list, summary, advise, top: every namespace on "
    "the host,\n"
    "                       labelled by container, pod or service\n"
    "      --yes            kill: close the sockets (default: only list them)\n"
    "      --force          kill --yes: also a selection with listening "
    "sockets\n"
    "                       or more than 100 sockets\n"
    "  -j, --json           same as --format json\n"
    "      --format FMT     table, json, ndjson or prometheus\n"
    "  -s, --summary        same as the summary command\n"
    "      --top N          rows per summary breakdown (default 10)\n"
    "      --interval S     advise: seconds between two counter samples\n"
    "                       (tenths allowed; default 1; 0: one sample, no "
    "rates)\n"
    "      --root DIR       read /proc and /etc under DIR (default /)\n"
    "      --save FILE      also write the raw netlink dump to FILE\n"
    "      --load FILE      list from a saved dump instead of the kernel\n"
    "  -F, --filter FILE    read the filter expression from FILE (- = stdin)\n"
    "  -h, --help           this text\n"
    "  -V, --version        the version\n"
    "\n"
    "top, the live view, also takes:\n"
    "  -d, --delay SECS     refresh interval (tenths allowed; default 2)\n"
    "  -b, --batch          print text snapshots instead of the screen\n"
    "      --iterations N   stop after N refreshes (-n is --numeric, as in "
    "the list)\n"
    "      --no-color       no colours (also when NO_COLOR is set)\n"
    "      --readonly       never close sockets from the view\n"
    "      --rows N         batch: print the first N rows of the table\n"
    "  -e, --extended       also an INODE column (the socket's inode)\n"
    "\n"
    "watch, sockets as they close, also takes:\n"
    "      --count N        stop after N closes printed\n"
    "      --duration S     stop after S seconds (tenths allowed)\n"
    "      --transitions    every TCP state transition, exact lifetimes\n"
    "                       (the BPF backend: needs CAP_BPF+CAP_PERFMON)\n"
    "      --interval S     with --format prometheus: seconds between two\n"
    "                       expositions (default 1; 0: one at the end)\n"
    "\n"
    "Options may come before or after the command.\n"
    "See sockscope(8).\n";

/* s, escaped (the user typed it; a terminal must not act on it). */
void opts_put_escaped(const char *s, size_t n)
{
	struct obuf ob;

	obuf_init(&ob, -1, 4 * n + 1); /* the worst case: \xNN per byte */
	obuf_escape_text(&ob, s, n);
	fwrite(ob.buf, 1, ob.len, stderr);
	ob.len = 0;
	obuf_finish(&ob);
}

/* One line "sockscope: ..." on stderr, escaped whole: it quotes argv. */
__attribute__((format(printf, 1, 2))) int opts_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("sockscope: ", stderr);
	opts_put_escaped(msg, n < 0 ? 0 : strnlen(msg, sizeof(msg)));
	fputs(" (try 'sockscope --help')\n", stderr);
	return EXIT_USAGE;
}
