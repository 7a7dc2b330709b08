/*
 * format.h - output formats for socket listings, one struct fmt_ops each
 * (format_table.c, format_json.c), looked up by name.
 *
 * Call order: begin() once, row() per socket, end() once; all write to
 * ctx->out. With --all-netns, netns() (optional: NULL) as each namespace's
 * rows begin, ctx->netns and ctx->ns_entry set, whether or not a row
 * follows. A formatter never touches netlink and never keeps a record
 * past row() (records live in the receive buffer). Formatters that need a
 * private state allocate it in begin() and free it in end().
 */
#ifndef SOCKSCOPE_FORMAT_H
#define SOCKSCOPE_FORMAT_H

#include <stddef.h>

#include "opts.h"
#include "sock.h"
#include "addr.h"
#include "util.h"

struct cgroups;
struct netns_entry;
struct ifnames;
struct proc_map;
struct services;

struct fmt_ctx {
	struct obuf *out;
	const struct opts *o;
	struct ifnames *ifn;	       /* for scoped addresses */
	const struct services *svc;    /* NULL with -n */
	unsigned int term_cols;	       /* 0 when stdout is not a terminal */
	const struct proc_map *procs;  /* -p, else NULL */
	const struct cgroups *cgroups; /* -e, else NULL */
	const char *netns; /* namespace being listed (-N, --all-netns);
			    * NULL: the current one */
	void *priv;
	/* Added for --all-netns (issue 19): the namespace being listed,
	 * identity and label (netns_find.h); NULL without -N/--all-netns. */
	const struct netns_entry *ns_entry;
};

struct fmt_ops {
	const char *name;
	void (*begin)(struct fmt_ctx *ctx);
	void (*netns)(struct fmt_ctx *ctx);
	void (*row)(struct fmt_ctx *ctx, const struct sock_rec *rec);
	void (*end)(struct fmt_ctx *ctx);
};

extern const struct fmt_ops fmt_table;
extern const struct fmt_ops fmt_json;
extern const struct fmt_ops fmt_ndjson;
extern const struct fmt_ops fmt_prom;

/* The state's name for any family's record ("UNCONN" for SS_CLOSE but
 * TCP's). Never NULL. */
const char *format_rec_state(const struct sock_rec *rec);

/* An inet table's netid: its name in the registry ("tcp", "udp", "raw",
 * family.h), else "p<number>". Never NULL. */
const char *format_netid(uint8_t protocol, char buf[8]);

/*
 * Text of one endpoint as the table shows it: "addr[%if]:port", IPv6 in
 * brackets; port 0 as '*', and for the peer (peer = true) the wildcard
 * address as '*'. Service names unless svc is NULL. The interface is
 * named from ctx->ifn (escaped), "if<index>" when it has no name for it.
 * Returns the length.
 */
/* The interface name is escaped: up to 4 bytes for each of its 15. */
/* A UNIX name escaped (4 bytes each of 108), a space and an inode. */
#define ENDPOINT_STRLEN (4 * 108 + 1 + 10 + 1)
size_t format_endpoint(char *buf, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec, bool peer);
/* format_endpoint() for inet records (family_inet.c's). */
size_t format_inet_endpoint(char *buf, const struct fmt_ctx *ctx,
			    const struct sock_rec *rec, bool peer);
/* The record's netid through its family: "tcp", "u_str"... Never NULL. */
const char *format_rec_netid(const struct sock_rec *rec, char buf[8]);
/* The record's family name for JSON: "inet", "inet6", "unix". */
const char *format_family_name(const struct sock_rec *rec);

#endif
