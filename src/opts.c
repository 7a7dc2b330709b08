// SPDX-License-Identifier: MIT
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "family.h"
#include "filter.h"
#include "netns_prefetch.h"
#include "state.h"
#include "util.h"

#ifndef SOCKSCOPE_VERSION
#define SOCKSCOPE_VERSION "unknown"
#endif

enum long_only {
	OPT_FORMAT = 0x100,
	OPT_SAVE,
	OPT_LOAD,
	OPT_TOP,
	OPT_INTERVAL,
	OPT_ROOT,
	OPT_ALL_NETNS,
	OPT_YES,
	OPT_ITERATIONS,
	OPT_NO_COLOR,
	OPT_READONLY,
	OPT_FORCE,
	OPT_COUNT,
	OPT_DURATION,
	OPT_TRANSITIONS,
	OPT_ROWS,
	/* Last: the families' long-only options (--vsock) from here, by
	 * their index (family_opt_at()). */
	OPT_FAMILY,
};

/* The options of the families (-t, --unix, -4) are the registry's:
 * family.h's struct family_opt, added by getopt_tables(). */
static const struct option long_opts[] = {
    {"query", required_argument, NULL, 'A'},
    {"socket", required_argument, NULL, 'A'},
    {"family", required_argument, NULL, 'f'},
    {"listening", no_argument, NULL, 'l'},
    {"all", no_argument, NULL, 'a'},
    {"numeric", no_argument, NULL, 'n'},
    {"no-header", no_argument, NULL, 'H'},
    {"processes", no_argument, NULL, 'p'},
    {"options", no_argument, NULL, 'o'},
    {"extended", no_argument, NULL, 'e'},
    {"memory", no_argument, NULL, 'm'},
    {"info", no_argument, NULL, 'i'},
    {"net", required_argument, NULL, 'N'},
    {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
    {"yes", no_argument, NULL, OPT_YES},
    {"force", no_argument, NULL, OPT_FORCE},
    {"json", no_argument, NULL, 'j'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"save", required_argument, NULL, OPT_SAVE},
    {"load", required_argument, NULL, OPT_LOAD},
    {"filter", required_argument, NULL, 'F'},
    {"summary", no_argument, NULL, 's'},
    {"top", required_argument, NULL, OPT_TOP},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"root", required_argument, NULL, OPT_ROOT},
    {"delay", required_argument, NULL, 'd'},
    {"batch", no_argument, NULL, 'b'},
    {"iterations", required_argument, NULL, OPT_ITERATIONS},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"count", required_argument, NULL, OPT_COUNT},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"transitions", no_argument, NULL, OPT_TRANSITIONS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
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
static void put_escaped(const char *s, size_t n)
{
	struct obuf ob;

	obuf_init(&ob, -1, 4 * n + 1); /* the worst case: \xNN per byte */
	obuf_escape_text(&ob, s, n);
	fwrite(ob.buf, 1, ob.len, stderr);
	ob.len = 0;
	obuf_finish(&ob);
}

/* One line "sockscope: ..." on stderr, escaped whole: it quotes argv. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt,
							     ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("sockscope: ", stderr);
	put_escaped(msg, n < 0 ? 0 : strnlen(msg, sizeof(msg)));
	fputs(" (try 'sockscope --help')\n", stderr);
	return EXIT_USAGE;
}

static int parse_format(struct opts *o, const char *name)
{
	static const struct {
		const char *name;
		enum fmt_kind kind;
	} formats[] = {
	    {"table", FMT_TABLE},
	    {"json", FMT_JSON},
	    {"ndjson", FMT_NDJSON},
	    {"prometheus", FMT_PROMETHEUS},
	};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!strcmp(name, formats[i].name)) {
			o->format = formats[i].kind;
			return 0;
		}
	}
	return usage_error(
	    "unknown format '%s' (table, json, ndjson, prometheus)", name);
}

/* A decimal number in [min, max] for option name. */
static int parse_uint(const char *arg, const char *name, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end || errno || v < min ||
	    v > max) {
		return usage_error("%s: '%s' is not a number from %u to %u",
				   name, arg, min, max);
	}
	*out = (unsigned int)v;
	return 0;
}

/*
 * Seconds, fractions allowed (as top and htop: "0.5"), from 0.1 to max, or
 * 0 where zero is true; into milliseconds.
 */
static int parse_secs(const char *arg, const char *name, bool zero, double max,
		      unsigned int *ms)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	/* Plain decimals only: no sign, exponent, hex, "inf". */
	if (errno || end == arg || *end || !isdigit((unsigned char)arg[0]) ||
	    strspn(arg, "0123456789.") != strlen(arg) ||
	    !((secs >= 0.1 && secs <= max) || (zero && secs == 0.0))) {
		return usage_error("%s '%s': want %sseconds from 0.1 to %.10g",
				   name, arg, zero ? "0 or " : "", max);
	}
	*ms = (unsigned int)(secs * 1000.0 + 0.5);
	return 0;
}

static const char *long_name(int c)
{
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (lo->val == c) {
			return lo->name;
		}
	}
	return "?";
}

/* Options that only `top` takes. */
static int apply_top_opt(struct opts *o, int c, const char *arg)
{
	if (o->cmd != &cmd_top_entry) {
		return usage_error("--%s is an option of 'sockscope top'",
				   long_name(c));
	}
	switch (c) {
	case 'd':
		return parse_secs(arg, "--delay", false, 86400.0,
				  &o->top_delay_ms);
	case 'b':
		o->top_batch = true;
		return 0;
	case OPT_NO_COLOR:
		o->no_color = true;
		return 0;
	case OPT_READONLY:
		o->top_readonly = true;
		return 0;
	case OPT_ROWS:
		return parse_uint(arg, "--rows", 1, 100000000, &o->top_rows);
	default:
		return parse_uint(arg, "--iterations", 1, 100000000,
				  &o->top_iterations);
	}
}

/* The options that only switch something on. */
static const struct {
	int c;
	size_t off; /* of a bool in struct opts */
} flags[] = {
    {'l', offsetof(struct opts, listening)},
    {'a', offsetof(struct opts, all)},
    {'n', offsetof(struct opts, numeric)},
    {'H', offsetof(struct opts, no_header)},
    {'p', offsetof(struct opts, processes)},
    {'o', offsetof(struct opts, timers)},
    {'e', offsetof(struct opts, extended)},
    {'m', offsetof(struct opts, skmem)},
    {'i', offsetof(struct opts, tcp_info)},
    {OPT_ALL_NETNS, offsetof(struct opts, all_netns)},
    {OPT_YES, offsetof(struct opts, yes)},
    {OPT_FORCE, offsetof(struct opts, force)},
};

/* -A QUERY[,QUERY]: the family registry's names, and "all". */
static int parse_query(struct opts *o, const char *arg)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ",");
		char word[32];
		uint32_t bits;
		bool off;

		if (n == 0 || n >= sizeof(word)) {
			return usage_error("-A: bad query list '%s'", arg);
		}
		memcpy(word, p, n);
		word[n] = '\0';
		off = word[0] == '!';
		bits = strcmp(word + off, "all") ? family_query(word + off)
						 : family_all_protos();
		if (!bits) {
			char names[512];

			family_names(names, sizeof(names), false);
			return usage_error("-A: unknown socket table '%s' (%s, "
					   "all)",
					   word + off, names);
		}
		/* In order, as ss: "all,!unix" is every table but UNIX's. */
		if (off) {
			o->protocols &= ~bits;
			o->tables_off |= bits;
		} else {
			o->protocols |= bits;
			o->tables_off &= ~bits;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

/* -f FAMILY as ss spells it: the registry's words. */
static int parse_family(struct opts *o, const char *arg)
{
	uint32_t bits = family_fam_name(arg);
	char names[256];

	if (bits) {
		o->families |= bits;
		return 0;
	}
	family_names(names, sizeof(names), true);
	return usage_error("-f: unknown family '%s' (%s)", arg, names);
}

/*
 * What was not named follows from what was, as ss's
 * filter_merge_defaults(): tables pick their families, and a family named
 * (-f, -4, -6) with none of its tables named adds its own (-t -f netlink
 * lists both). Nothing named is TCP and UDP, and -f inet adds those two
 * only (ss: every family, and -f inet also RAW and SCTP).
 */
static void default_selection(struct opts *o)
{
	uint32_t named = o->protocols;
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	if (!named && !o->families) {
		o->families = FAM_INET | FAM_INET6;
	}
	for (size_t i = 0; i < n; i++) {
		/* A family's own entry (inet's, not MPTCP's) has its
		 * defaults; its tables are every entry's of that family. */
		if (family_of(fams[i]->af) == fams[i] &&
		    (o->families & fams[i]->fam_bits) &&
		    !(named & family_tables(fams[i]->fam_bits))) {
			o->protocols |= fams[i]->proto_bits;
		}
	}
	o->protocols &= ~o->tables_off;
	for (size_t i = 0; i < n; i++) {
		if ((o->protocols & fams[i]->proto_bits) &&
		    !(o->families & fams[i]->fam_bits)) {
			o->families |= fams[i]->fam_bits;
		}
	}
}

/* watch shows the tables whose sockets' destruction the kernel announces
 * (the registry's destroy_events: TCP and UDP): the others by name. */
static int inet_only(const struct opts *o)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	if (o->cmd != &cmd_watch_entry) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		/* -f inet names inet's tables, not MPTCP's, RAW's, SCTP's */
		bool own = family_of(fams[i]->af) == fams[i];

		if (!fams[i]->destroy_events &&
		    ((o->protocols & fams[i]->proto_bits) ||
		     (own && (o->families & fams[i]->fam_bits)))) {
			char upper[FAMILY_UPPER_MAX];

			return usage_error("watch: the kernel reports no %s "
					   "socket closing (TCP and UDP only)",
					   family_upper(upper, fams[i]->name));
		}
	}
	return 0;
}

/* The family option getopt returned as c (family.h), or NULL. */
static const struct family_opt *family_option(int c)
{
	const struct family_opt *fo;

	if (c >= OPT_FAMILY) {
		return family_opt_at((size_t)(c - OPT_FAMILY));
	}
	for (size_t i = 0; (fo = family_opt_at(i)); i++) {
		if (fo->letter && fo->letter == c) {
			return fo;
		}
	}
	return NULL;
}

/* One option character; returns 0, EXIT_USAGE, or -1 (help shown). */
static int apply_opt(struct opts *o, int c, const char *arg)
{
	const struct family_opt *fo;

	/* ss: -e shows the timers too, as -o would. */
	if (c == 'e') {
		o->timers = true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (flags[i].c == c) {
			*(bool *)((char *)o + flags[i].off) = true;
			return 0;
		}
	}
	fo = family_option(c);
	if (fo) {
		o->protocols |= fo->protos;
		o->tables_off &= ~fo->protos;
		o->families |= fo->fams;
		return 0;
	}
	switch (c) {
	case 'A':
		return parse_query(o, arg);
	case 'f':
		return parse_family(o, arg);
	case 'j':
		o->format = FMT_JSON;
		return 0;
	case 'N':
		o->netns = arg;
		return 0;
	case OPT_FORMAT:
		return parse_format(o, arg);
	case OPT_SAVE:
		o->save_path = arg;
		return 0;
	case OPT_LOAD:
		o->load_path = arg;
		return 0;
	case 'F':
		o->filter_path = arg;
		return 0;
	case 's':
		if (o->cmd != &cmd_list_entry && o->cmd != &cmd_summary_entry) {
			return usage_error(
			    "-s is the summary command; not with "
			    "'sockscope %s'",
			    o->cmd->name);
		}
		o->cmd = &cmd_summary_entry;
		return 0;
	case OPT_TOP:
		return parse_uint(arg, "--top", 1, 100000, &o->top);
	case OPT_INTERVAL:
		return parse_secs(arg, "--interval", true, 3600.0,
				  &o->interval_ms);
	case OPT_ROOT:
		o->root = arg;
		return 0;
	case OPT_COUNT:
		return parse_uint(arg, "--count", 1, UINT_MAX, &o->watch_count);
	case OPT_DURATION:
		/* The most milliseconds an unsigned int holds: 49 days. */
		return parse_secs(arg, "--duration", false, 4294967.0,
				  &o->watch_duration_ms);
	case OPT_TRANSITIONS:
		o->watch_transitions = true;
		return 0;
	case 'd':
	case 'b':
	case OPT_ITERATIONS:
	case OPT_NO_COLOR:
	case OPT_READONLY:
	case OPT_ROWS:
		return apply_top_opt(o, c, arg);
	case 'h':
		fputs(usage_text, stdout);
		return -1;
	case 'V':
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return -1;
	default:
		return usage_error("unknown option");
	}
}

/*
 * What getopt found wrong (c: '?' or ':'), in one line named "sockscope:",
 * not with argv[0] as getopt itself would (a build path, or the command).
 */
static int option_error(int c, const char *word)
{
	bool is_long = !strncmp(word, "--", 2);

	fputs("sockscope: option '", stderr);
	if (is_long) {
		put_escaped(word, strcspn(word, "=")); /* as typed, no value */
	} else if (isgraph(optopt)) {
		fprintf(stderr, "-%c", optopt);
	} else {
		fprintf(stderr, "-\\x%02x", (unsigned int)(optopt & 0xff));
	}
	if (c == ':') {
		fputs("' needs a value", stderr);
	} else if (is_long && strchr(word, '=') && optopt) {
		fputs("' takes no value", stderr);
	} else if (is_long) {
		fputs("' is unknown or ambiguous", stderr);
	} else {
		fputs("' is unknown", stderr);
	}
	fputs(" (try 'sockscope --help')\n", stderr);
	return EXIT_USAGE;
}

/* getopt's letters; ':' first: option_error() tells a missing value. The
 * families' letters (-t -x -4 ...) come before these (getopt_tables). */
static const char list_letters[] = ":lanHjspoemiN:hVF:A:f:";
/* top takes the list's letters, and -d and -b besides. */
static const char top_letters[] = "d:b";

/* Does letter c take a value (in any command)? */
static bool letter_takes_value(char c)
{
	const char *p = c != ':' ? strchr(list_letters + 1, c) : NULL;

	if (!p && c != ':') {
		p = strchr(top_letters, c);
	}
	return p && p[1] == ':';
}

/* Does option word take the next word as its value? */
static bool takes_next(const char *word)
{
	size_t n;

	if (word[1] != '-') {
		/* -tN web: a value letter ends the cluster or holds the
		 * rest of it. */
		for (const char *p = word + 1; *p; p++) {
			if (letter_takes_value(*p)) {
				return !p[1];
			}
		}
		return false;
	}
	if (strchr(word, '=')) {
		return false;
	}
	/* As getopt_long: the exact name, else a prefix (if ambiguous,
	 * getopt names the error; any guess will do). */
	n = strlen(word + 2);
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (!strcmp(lo->name, word + 2)) {
			return lo->has_arg == required_argument;
		}
	}
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (!strncmp(lo->name, word + 2, n)) {
			return lo->has_arg == required_argument;
		}
	}
	return false;
}

/*
 * The command word: the first word that is neither an option nor an
 * option's value, if it names a command (else the filter starts there).
 * Removes it from argv; returns the command, or NULL (list).
 */
static const struct cmd_entry *take_command(int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++) {
		const struct cmd_entry *cmd;

		if (!strcmp(argv[i], "--")) {
			return NULL;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			i += takes_next(argv[i]);
			continue;
		}
		cmd = cmd_find(argv[i]);
		if (cmd) {
			/* argv[argc], NULL, moves down too. */
			memmove(&argv[i], &argv[i + 1],
				(size_t)(*argc - i) * sizeof(*argv));
			(*argc)--;
		}
		return cmd;
	}
	return NULL;
}

/* A -F file is a filter, not data: a few KiB; refuse anything huge. */
#define FILTER_FILE_MAX (1u << 20)

/* The whole of path ("-": stdin) into *text. Returns 0 or -errno. */
static int read_filter_file(const char *path, char **text, size_t *len)
{
	/* stdin may be a pipe; a named file must be a regular one. */
	int fd = strcmp(path, "-") ? open_input(path, INPUT_REGULAR) : 0;
	size_t cap = 4096;
	int err = 0;

	if (fd < 0) {
		return fd;
	}
	*text = xmalloc(cap);
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, *text + *len, cap - *len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		*len += (size_t)n;
		if (*len == cap && cap >= FILTER_FILE_MAX) {
			err = -EFBIG;
			break;
		}
		if (*len == cap) {
			cap *= 2;
			*text = xrealloc(*text, cap);
		}
	}
	if (fd > 0) {
		close(fd);
	}
	return err;
}

static int parse_filter(struct opts *o, int argc, char **argv)
{
	struct filter_error ferr = {0};
	char *text = NULL;
	size_t len = 0;
	int err = 0;

	if (o->filter_path) {
		err = read_filter_file(o->filter_path, &text, &len);
	}
	if (err) {
		fputs("sockscope: -F ", stderr);
		put_escaped(o->filter_path, strlen(o->filter_path));
		fprintf(stderr, ": %s\n", input_strerror(err));
		free(text);
		return EXIT_USAGE;
	}
	err = filter_parse_text(argc, argv, text, len, &o->filter, &ferr);
	free(text);
	if (!err && filter_note(o->filter)) {
		/* Once per run: the filter is parsed once. */
		fprintf(stderr, "sockscope: note: %s\n",
			filter_note(o->filter));
	}
	if (!err) {
		return 0;
	}
	fprintf(stderr, "sockscope: filter: %s", ferr.msg);
	if (ferr.line > 0) {
		fputs(" (", stderr);
		put_escaped(o->filter_path, strlen(o->filter_path));
		fprintf(stderr, " line %d, word %d)\n", ferr.line, ferr.word);
	} else if (ferr.word > 0 && ferr.word <= argc &&
		   cmd_find(argv[ferr.word - 1])) {
		/* `sockscope state listening summary`: a late command. */
		fprintf(stderr,
			" (word %d: a command comes before the "
			"filter)\n",
			ferr.word);
	} else if (ferr.word > 0) {
		fprintf(stderr, " (word %d)\n", ferr.word);
	} else {
		fputc('\n', stderr);
	}
	return EXIT_USAGE;
}

static int check_combinations(const struct opts *o)
{
	bool kill = o->cmd == &cmd_kill_entry;

	if (o->save_path && o->load_path) {
		return usage_error("--save and --load exclude each other");
	}
	if (o->all_netns && o->cmd != &cmd_list_entry &&
	    o->cmd != &cmd_summary_entry && o->cmd != &cmd_advise_entry &&
	    o->cmd != &cmd_top_entry) {
		/* Not ignored in silence: run the command once per -N. */
		return usage_error("--all-netns applies to list, summary, "
				   "advise and top only; use -N NAME per "
				   "namespace");
	}
	if (o->netns && o->all_netns) {
		return usage_error("-N and --all-netns exclude each other");
	}
	if (o->netns && !o->netns[0]) {
		return usage_error("-N needs a namespace name or path");
	}
	if ((o->netns || o->all_netns) && o->load_path) {
		return usage_error("--load reads a file: no namespace applies");
	}
	if (o->processes && o->load_path) {
		return usage_error("-p reads this host's processes now: "
				   "not with --load");
	}
	if (o->all_netns && o->save_path) {
		return usage_error(
		    "--save records one namespace, not --all-netns");
	}
	if (o->yes && !kill) {
		return usage_error("--yes belongs to 'sockscope kill'");
	}
	if (o->force && !kill) {
		return usage_error("--force belongs to 'sockscope kill'");
	}
	if ((o->watch_count || o->watch_duration_ms) &&
	    o->cmd != &cmd_watch_entry) {
		return usage_error("--count and --duration belong to "
				   "'sockscope watch'");
	}
	if (o->watch_transitions && o->cmd != &cmd_watch_entry) {
		return usage_error(
		    "--transitions belongs to 'sockscope watch'");
	}
	if (o->cmd == &cmd_watch_entry && (o->save_path || o->load_path)) {
		return usage_error(
		    "watch reads live events: no --save, --load");
	}
	if (kill && (o->all_netns || o->save_path || o->load_path)) {
		return usage_error(
		    "kill works on live sockets of one namespace "
		    "(no --all-netns, --save, --load)");
	}
	return 0;
}

/* The families' options (family.h) at most. */
#define FAMILY_OPTS_MAX 32

/* What getopt_long() is given: opts.c's options and the families'. */
struct getopt_tables {
	struct option longs[ARRAY_SIZE(long_opts) + FAMILY_OPTS_MAX];
	char letters[sizeof(list_letters) + sizeof(top_letters) +
		     FAMILY_OPTS_MAX];
};

/* The list's letters get the families' ahead of the others; top's own
 * follow. */
static void getopt_tables(struct getopt_tables *g, bool top)
{
	const struct family_opt *fo;
	size_t nl = ARRAY_SIZE(long_opts) - 1, nc = 0;

	memcpy(g->longs, long_opts, nl * sizeof(long_opts[0]));
	g->letters[nc++] = ':';
	for (size_t i = 0; (fo = family_opt_at(i)) && i < FAMILY_OPTS_MAX;
	     i++) {
		g->longs[nl++] = (struct option){
		    fo->name, no_argument, NULL,
		    fo->letter ? fo->letter : OPT_FAMILY + (int)i};
		if (fo->letter) {
			g->letters[nc++] = fo->letter;
		}
	}
	g->longs[nl] = (struct option){NULL, 0, NULL, 0};
	strcpy(g->letters + nc, list_letters + 1);
	if (top) {
		strcat(g->letters, top_letters);
	}
}

/*
 * SOCKSCOPE_NETNS_THREADS, read here only: how many threads receive the
 * namespaces' dumps ahead in list --all-netns; 0 reads one namespace
 * after the other (what the prefetch must reproduce: the test compares).
 * Parsed only there: a stale value in the environment does not stop a
 * command that never reads it.
 */
static int netns_threads(struct opts *o)
{
	const char *v = getenv("SOCKSCOPE_NETNS_THREADS");
	unsigned int n = 0;
	int err;

	o->netns_threads = -1;
	if (o->cmd != &cmd_list_entry || !o->all_netns || !v || !v[0]) {
		return 0;
	}
	err = parse_uint(v, "SOCKSCOPE_NETNS_THREADS", 0,
			 NETNS_PREFETCH_MAX_THREADS, &n);
	if (!err) {
		o->netns_threads = (int)n;
	}
	return err;
}

int opts_parse(struct opts *o, int argc, char **argv)
{
	struct getopt_tables g;
	const char *no_color = getenv("NO_COLOR");
	const struct cmd_entry *cmd;
	struct stat st;
	bool top;
	int c, ret, at = 1;

	memset(o, 0, sizeof(*o));
	o->cmd = &cmd_list_entry;
	o->top = 10;
	o->interval_ms = 1000;
	o->root = "/";
	o->top_delay_ms = 2000;
	cmd = take_command(&argc, argv);
	if (cmd) {
		o->cmd = cmd;
	}
	opterr = 0; /* option_error() says it, as "sockscope:" */
	optind = 0; /* a fresh scan (glibc), also for a second call */
	top = o->cmd == &cmd_top_entry;
	getopt_tables(&g, top);
	while ((c = getopt_long(argc, argv, g.letters, g.longs, NULL)) != -1) {
		if (c == '?' || c == ':') {
			/* optind passes a word once its last letter is
			 * read: -Zt still sits at its word. */
			return option_error(
			    c, argv[optind > at ? optind - 1 : optind]);
		}
		ret = apply_opt(o, c, optarg);
		if (ret) {
			return ret;
		}
		at = optind;
	}
	errno = 0;
	if (stat(o->root, &st) || !S_ISDIR(st.st_mode)) {
		return usage_error("--root %s: %s", o->root,
				   errno ? strerror(errno) : "not a directory");
	}
	ret = check_combinations(o);
	if (ret) {
		return ret;
	}
	ret = inet_only(o);
	if (ret) {
		return ret;
	}
	default_selection(o);
	if (!o->protocols) {
		return usage_error("-A: no socket table left to list");
	}
	o->out_is_tty = isatty(STDOUT_FILENO);
	/* https://no-color.org: set and not empty. */
	o->no_color |= no_color && no_color[0];
	ret = netns_threads(o);
	if (ret) {
		return ret;
	}
	o->filter_argc = argc - optind;
	o->filter_argv = argv + optind;
	/* explain's words name a topic, not sockets: no filter from them. */
	if (o->cmd->topic_words) {
		return parse_filter(o, 0, NULL);
	}
	/* No filter starts with a number: this is top(1)'s -n COUNT. */
	if (top && optind < argc && argv[optind][0] &&
	    strspn(argv[optind], "0123456789") == strlen(argv[optind])) {
		return usage_error("top: '%s' is no filter: the refresh count "
				   "is --iterations N (-n is --numeric)",
				   argv[optind]);
	}
	return parse_filter(o, argc - optind, argv + optind);
}

void opts_finish(struct opts *o)
{
	filter_destroy(o->filter);
	o->filter = NULL;
}

uint32_t opts_table_states(const struct opts *o, const struct family_table *t)
{
	uint32_t mask;

	if (filter_states(o->filter, &mask)) {
		return mask;
	}
	if (o->all) {
		return SS_ALL_BITS;
	}
	return o->listening ? t->listening : t->states;
}
