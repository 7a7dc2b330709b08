/*
 * opts.h - the parsed command line, passed down as const struct opts *.
 *
 * main.c fills it (opts_parse) and owns it; nothing else writes to it.
 */
#ifndef SOCKSCOPE_OPTS_H
#define SOCKSCOPE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

struct cmd_entry;
struct family_table;
struct filter;

/*
 * A table's bit (proto_bit) and a family's (family_bit): with its
 * family_<name>.c, the line in family.c and src/meson.build, the one
 * other place a family is named. They stay constants rather than being
 * numbered from the registry's order at start: the entries' tables,
 * options and -A names (const data) hold them, and so do the masks below.
 */
enum proto_bit {
	PROTO_TCP = 1 << 0,
	PROTO_UDP = 1 << 1,
	/* UNIX sockets by type (family_unix.c): -x selects all three. */
	PROTO_UNIX_STREAM = 1 << 2,
	PROTO_UNIX_DGRAM = 1 << 3,
	PROTO_UNIX_SEQPACKET = 1 << 4,
	/* PACKET sockets by type (family_packet.c): -0 selects both. */
	PROTO_PACKET_RAW = 1 << 5,
	PROTO_PACKET_DGRAM = 1 << 6,
	PROTO_NETLINK = 1 << 7, /* family_netlink.c: -A netlink */
	PROTO_MPTCP = 1 << 8,	/* family_inet.c: -M, SOCK_PROTO_MPTCP */
	PROTO_RAW = 1 << 9,	/* family_raw.c: -w, IPPROTO_RAW */
	PROTO_SCTP = 1 << 10,	/* family_inet.c: -S, IPPROTO_SCTP */
	/* VSOCK sockets by type (family_vsock.c): --vsock selects all. */
	PROTO_VSOCK_STREAM = 1 << 11,
	PROTO_VSOCK_DGRAM = 1 << 12,
	PROTO_VSOCK_SEQPACKET = 1 << 15, /* after the bits taken first */
	/* Probed only (family_probe.c): a notice, no rows. */
	PROTO_TIPC = 1 << 13,
	PROTO_XDP = 1 << 14,
	PROTO_DCCP = 1 << 16, /* an inet_diag table; gone in Linux 6.16 */
};

#define PROTO_INET_MASK (PROTO_TCP | PROTO_UDP)
#define PROTO_UNIX_MASK                                                        \
	(PROTO_UNIX_STREAM | PROTO_UNIX_DGRAM | PROTO_UNIX_SEQPACKET)
#define PROTO_PACKET_MASK (PROTO_PACKET_RAW | PROTO_PACKET_DGRAM)
#define PROTO_VSOCK_MASK                                                       \
	(PROTO_VSOCK_STREAM | PROTO_VSOCK_DGRAM | PROTO_VSOCK_SEQPACKET)
/* The tables only probed (family_probe.c): not in -A all. */
#define PROTO_PROBE_MASK (PROTO_TIPC | PROTO_XDP | PROTO_DCCP)
/* Every table whose rows are inet records (AF_INET, AF_INET6). */
#define PROTO_INET_ALL (PROTO_INET_MASK | PROTO_MPTCP | PROTO_RAW | PROTO_SCTP)

enum family_bit {
	FAM_INET = 1 << 0,
	FAM_INET6 = 1 << 1,
	FAM_UNIX = 1 << 2,
	FAM_PACKET = 1 << 3, /* -f link */
	FAM_NETLINK = 1 << 4,
	FAM_VSOCK = 1 << 5,
	FAM_TIPC = 1 << 6,
	FAM_XDP = 1 << 7,
};

enum fmt_kind {
	FMT_TABLE,
	FMT_JSON,
	FMT_NDJSON,
	FMT_PROMETHEUS,
};

struct opts {
	const struct cmd_entry *cmd;
	uint32_t protocols; /* enum proto_bit */
	/* -A !NAME: tables taken out after everything named (enum proto_bit) */
	uint32_t tables_off;
	uint32_t families; /* enum family_bit */
	bool listening;	   /* -l */
	bool all;	   /* -a */
	bool numeric;	   /* -n */
	bool no_header;	   /* -H */
	bool processes;	   /* -p */
	bool timers;	   /* -o */
	bool extended;	   /* -e */
	bool skmem;	   /* -m */
	bool tcp_info;	   /* -i */
	bool all_netns;	   /* --all-netns */
	bool yes;	   /* kill --yes */
	bool force;	   /* kill --force: past the guards */
	const char *netns; /* -N NAME|PATH, or NULL */
	/* SOCKSCOPE_NETNS_THREADS: threads receiving --all-netns dumps
	 * ahead (netns_prefetch.h), 0 none (one namespace after the other);
	 * -1 (unset): netns_prefetch_threads(). */
	int netns_threads;
	bool out_is_tty;
	enum fmt_kind format;
	const char *save_path;	  /* --save */
	const char *load_path;	  /* --load */
	const char *filter_path;  /* -F: filter text file, "-" = stdin */
	struct filter *filter;	  /* never NULL after opts_parse */
	unsigned int top;	  /* --top: rows per breakdown, default 10 */
	unsigned int interval_ms; /* --interval: between samples; 0: one */
	const char *root;	  /* --root: read /proc under it, default "/" */
	char *const *filter_argv; /* the words it was parsed from (argv's) */
	int filter_argc;
	/* top */
	unsigned int top_delay_ms;   /* -d, default 2000 */
	unsigned int top_iterations; /* --iterations N, 0: until quit */
	bool top_batch;		     /* -b */
	bool no_color;		     /* --no-color (or NO_COLOR set) */
	bool top_readonly;	     /* --readonly: no closing sockets */
	/* watch */
	unsigned int watch_count;	/* --count N, 0: no limit */
	unsigned int watch_duration_ms; /* --duration S, 0: no limit */
	bool watch_transitions;		/* --transitions: the BPF backend */
	unsigned int top_rows; /* top --rows N: batch prints N rows; 0 all */
};

/* Exit statuses (only main.c exits). */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_ADVICE = 3, /* advise: a warning-or-worse rule fired */
};

/*
 * Parse argv into o. Returns 0, or EXIT_USAGE after printing one line on
 * stderr, or -1 when --help/--version was printed (exit 0).
 */
int opts_parse(struct opts *o, int argc, char **argv);
void opts_finish(struct opts *o);

/* The states to list from one table (family.h): the filter's state
 * words, else every one with -a, else its defaults (-l: its listening).
 * What acquire.c requests and the State column is sized for. */
uint32_t opts_table_states(const struct opts *o, const struct family_table *t);

#endif
