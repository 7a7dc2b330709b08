// SPDX-License-Identifier: MIT
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "filter.h"
#include "state.h"
#include "util.h"

#ifndef SOCKSCOPE_VERSION
#define SOCKSCOPE_VERSION "unknown"
#endif

enum long_only {
	OPT_FORMAT = 0x100,
	OPT_SAVE,
	OPT_LOAD,
	OPT_ITERATIONS,
	OPT_NO_COLOR,
	OPT_READONLY,
};

static const struct option long_opts[] = {
	{ "tcp", no_argument, NULL, 't' },
	{ "udp", no_argument, NULL, 'u' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "listening", no_argument, NULL, 'l' },
	{ "all", no_argument, NULL, 'a' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "json", no_argument, NULL, 'j' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "save", required_argument, NULL, OPT_SAVE },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "delay", required_argument, NULL, 'd' },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "readonly", no_argument, NULL, OPT_READONLY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
	"Usage: sockscope [list] [OPTIONS] [FILTER]\n"
	"\n"
	"List sockets, like ss. FILTER: [state NAME | exclude NAME]...\n"
	"\n"
	"  -t, --tcp            TCP sockets\n"
	"  -u, --udp            UDP sockets (default: TCP and UDP)\n"
	"  -4, --ipv4           IPv4 only\n"
	"  -6, --ipv6           IPv6 only\n"
	"  -l, --listening      listening and unconnected sockets only\n"
	"  -a, --all            sockets in every state\n"
	"  -n, --numeric        numeric ports, no service names\n"
	"  -H, --no-header      no header line\n"
	"  -j, --json           same as --format json\n"
	"      --format FMT     table, json or ndjson\n"
	"      --save FILE      also write the raw netlink dump to FILE\n"
	"      --load FILE      list from a saved dump instead of the kernel\n"
	"  -h, --help           this text\n"
	"  -V, --version        the version\n"
	"\n"
	"sockscope top [OPTIONS] [FILTER]: a live view. Also:\n"
	"  -d, --delay SECS     refresh interval (tenths allowed; default 2)\n"
	"  -b, --batch          print text snapshots instead of the screen\n"
	"  -n, --iterations N   stop after N refreshes\n"
	"      --no-color       no colours (also when NO_COLOR is set)\n"
	"      --readonly       never close sockets\n"
	"\n"
	"See sockscope(8).\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sockscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'sockscope --help')\n", stderr);
	return EXIT_USAGE;
}

static int parse_format(struct opts *o, const char *name)
{
	static const struct {
		const char *name;
		enum fmt_kind kind;
	} formats[] = {
		{ "table", FMT_TABLE },
		{ "json", FMT_JSON },
		{ "ndjson", FMT_NDJSON },
	};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!strcmp(name, formats[i].name)) {
			o->format = formats[i].kind;
			return 0;
		}
	}
	return usage_error("unknown format '%s' (table, json, ndjson)", name);
}

static int parse_delay(struct opts *o, const char *arg)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	/* As top and htop: seconds with tenths, at least a tenth. */
	if (errno || end == arg || *end || !(secs >= 0.1 && secs <= 86400.0)) {
		return usage_error("--delay '%s': want seconds from 0.1 to "
				   "86400",
				   arg);
	}
	o->top_delay_ms = (unsigned int)(secs * 1000.0 + 0.5);
	return 0;
}

static int parse_iterations(struct opts *o, const char *arg)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n == 0 ||
	    n > 100000000ull) {
		return usage_error("--iterations '%s': want a count from 1",
				   arg);
	}
	o->top_iterations = (unsigned long)n;
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
		return parse_delay(o, arg);
	case 'b':
		o->top_batch = true;
		return 0;
	case OPT_NO_COLOR:
		o->no_color = true;
		return 0;
	case OPT_READONLY:
		o->top_readonly = true;
		return 0;
	default:
		return parse_iterations(o, arg);
	}
}

/* One option character; returns 0, EXIT_USAGE, or -1 (help shown). */
static int apply_opt(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 't':
		o->protocols |= PROTO_TCP;
		return 0;
	case 'u':
		o->protocols |= PROTO_UDP;
		return 0;
	case '4':
		o->families |= FAM_INET;
		return 0;
	case '6':
		o->families |= FAM_INET6;
		return 0;
	case 'l':
		o->listening = true;
		return 0;
	case 'a':
		o->all = true;
		return 0;
	case 'n':
		/* top's -n N counts iterations (top, htop); --numeric has
		 * no argument. */
		if (arg) {
			return parse_iterations(o, arg);
		}
		o->numeric = true;
		return 0;
	case 'd':
	case 'b':
	case OPT_ITERATIONS:
	case OPT_NO_COLOR:
	case OPT_READONLY:
		return apply_top_opt(o, c, arg);
	case 'H':
		o->no_header = true;
		return 0;
	case 'j':
		o->format = FMT_JSON;
		return 0;
	case OPT_FORMAT:
		return parse_format(o, arg);
	case OPT_SAVE:
		o->save_path = arg;
		return 0;
	case OPT_LOAD:
		o->load_path = arg;
		return 0;
	case 'h':
		fputs(usage_text, stdout);
		return -1;
	case 'V':
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return -1;
	default:
		/* getopt has already named the bad option on stderr. */
		fputs("sockscope: try 'sockscope --help'\n", stderr);
		return EXIT_USAGE;
	}
}

static int parse_filter(struct opts *o, int argc, char **argv)
{
	struct filter_error ferr = { 0 };

	if (filter_parse(argc, argv, &o->filter, &ferr)) {
		if (ferr.word > 0) {
			fprintf(stderr, "sockscope: filter: %s (word %d)\n",
				ferr.msg, ferr.word);
		} else {
			fprintf(stderr, "sockscope: filter: %s\n", ferr.msg);
		}
		return EXIT_USAGE;
	}
	return 0;
}

int opts_parse(struct opts *o, int argc, char **argv)
{
	const char *shortopts;
	const char *no_color = getenv("NO_COLOR");
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->cmd = &cmd_list_entry;
	if (argc > 1 && argv[1][0] != '-') {
		const struct cmd_entry *cmd = cmd_find(argv[1]);

		if (cmd) {
			o->cmd = cmd;
			argc--;
			argv++;
		}
	}
	opterr = 1;
	shortopts = o->cmd == &cmd_top_entry ? "tu46lan:HjhVd:b"
					     : "tu46lanHjhV";
	o->top_delay_ms = 2000;
	while ((c = getopt_long(argc, argv, shortopts, long_opts, NULL)) !=
	       -1) {
		ret = apply_opt(o, c, optarg);
		if (ret) {
			return ret;
		}
	}
	if (o->save_path && o->load_path) {
		return usage_error("--save and --load exclude each other");
	}
	if (!o->protocols) {
		o->protocols = PROTO_TCP | PROTO_UDP;
	}
	if (!o->families) {
		o->families = FAM_INET | FAM_INET6;
	}
	o->out_is_tty = isatty(STDOUT_FILENO);
	/* https://no-color.org: set and not empty. */
	if (no_color && no_color[0]) {
		o->no_color = true;
	}
	o->filter_argc = argc - optind;
	o->filter_argv = argv + optind;
	return parse_filter(o, argc - optind, argv + optind);
}

void opts_finish(struct opts *o)
{
	filter_destroy(o->filter);
	o->filter = NULL;
}

uint32_t opts_states(const struct opts *o, uint8_t protocol)
{
	uint32_t mask;

	if (filter_states(o->filter, &mask)) {
		return mask;
	}
	if (o->all) {
		return SS_ALL_BITS;
	}
	if (o->listening) {
		return SS_BIT(SS_LISTEN) | SS_BIT(SS_CLOSE);
	}
	/* ss's defaults: TCP as STATE_DEFAULT_TCP, connected UDP. */
	if (protocol == IPPROTO_TCP) {
		return STATE_DEFAULT_TCP;
	}
	return SS_BIT(SS_ESTABLISHED);
}
