/*
 * filter.h - the ss filter language: `[state NAME | exclude NAME]...
 * [EXPRESSION]`, parsed once into a struct filter that acquisition (as
 * kernel bytecode) and the userspace match both read.
 *
 * filter_parse() takes the words after the options; an empty list is the
 * empty filter (matches everything, names no states). A word may hold many
 * tokens ('( dport = 22 )') or one. On error it returns -EINVAL and fills
 * err with one line naming the offending token and its 1-based position
 * among the filter's tokens.
 *
 * Precedence is not > and > or (juxtaposition is and). Every predicate has
 * the meaning of the kernel op it compiles to (inet_diag_bc_run), so the
 * userspace match and the kernel agree; `autobound` is the one exception:
 * userspace cannot see the kernel's bind lock and approximates it with
 * "local port inside ip_local_port_range" (read at parse time).
 *
 * The owner predicates have no kernel op and are userspace only: `uid OP N`
 * (N a number or a user name, OP any of sport's) tests the kernel's
 * idiag_uid, which TIME_WAIT and SYN_RECV request sockets report as 0;
 * `pid [=|!=] N` and `comm [=|!=] GLOB` (fnmatch(3), no flags) test the
 * processes holding the socket in the /proc map (proc.h): true when any of
 * them matches, false for a socket no process holds. `!=` is `not`, so
 * `pid != N` does select the sockets without an owner.
 */
#ifndef SOCKSCOPE_FILTER_H
#define SOCKSCOPE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

struct filter;
struct proc_map;

struct filter_error {
	int word;      /* 1-based position of the offending token, 0: none */
	int line;      /* line of the -F text it is on, 0: command line */
	char msg[200]; /* one line, no trailing newline, bytes escaped */
};

int filter_parse(int argc, char *const argv[], struct filter **out,
		 struct filter_error *err);

/*
 * As filter_parse(), then the tokens of text (len bytes, may be NULL): the
 * contents of a -F file, where '#' starts a comment that ends the line.
 * Input that holds no token at all (an empty word, an empty file) is an
 * error, not the empty filter.
 */
int filter_parse_text(int argc, char *const argv[], const char *text,
		      size_t len, struct filter **out,
		      struct filter_error *err);

void filter_destroy(struct filter *f);

/* True, with the state mask, when the filter named states. */
bool filter_states(const struct filter *f, uint32_t *mask);

/*
 * `dev NAME` means the device of that name in the namespace whose sockets
 * are read, so names are resolved there, not when the filter is parsed:
 * call this in that namespace (after setns, or with the names of a --load
 * file) before filter_match() or filter_bytecode(), once per namespace.
 * index_of returns the index of name, 0 when there is no such device; a
 * name of digits that no device has is that index. Returns 0, or -ENODEV
 * with err filled ("dev NAME: no such device", escaped): never another
 * device's index.
 */
typedef uint32_t (*filter_index_fn)(void *data, const char *name);
int filter_resolve_devs(struct filter *f, filter_index_fn index_of, void *data,
			char *err, size_t size);

/* True when the filter has an expression (beyond state words). */
bool filter_has_expr(const struct filter *f);

/* True when rec passes the filter's expression (states are not checked).
 * pid and comm see no owner: use filter_match_owners() when
 * filter_needs_owners(). */
bool filter_match(const struct filter *f, const struct sock_rec *rec);

/* True when the expression names pid or comm: matching needs the map. */
bool filter_needs_owners(const struct filter *f);

/* True when the expression names uid (NULL: no filter, false). */
bool filter_names_uid(const struct filter *f);

/* filter_match() with owners, the socket inode -> processes map that pid
 * and comm read (NULL: no socket has an owner). No I/O. */
bool filter_match_owners(const struct filter *f, const struct sock_rec *rec,
			 const struct proc_map *owners);

/*
 * When the expression mixes `and` and `or` so that ss, which reads left
 * to right, would group it differently: one line (no newline, bytes
 * escaped) saying how ss reads it and how the filter does, e.g. "ss reads
 * 'A or B and C' left to right; sockscope reads it as 'A or (B and C)'".
 * NULL otherwise. Owned by f.
 */
const char *filter_note(const struct filter *f);

/* Kernel ops to leave out of the program (they are matched in userspace). */
enum filter_bc_without {
	FILTER_BC_NO_MARK = 1 << 0, /* MARK_COND: EPERM without CAP_NET_ADMIN */
	FILTER_BC_NO_CGROUP = 1 << 1, /* CGROUP_COND: kernels without it */
};

/*
 * Compile the expression to INET_DIAG_REQ_BYTECODE for a dump of one
 * family (AF_INET or AF_INET6). Returns 0 with *bc (malloc'ed, the
 * caller frees it) and *len, or *bc = NULL and *len = 0 when nothing needs
 * to go to the kernel. The program passes the kernel's inet_diag_bc_audit.
 * *exact is true when the kernel's selection is exactly filter_match()'s,
 * so the userspace pass can be skipped; otherwise the program selects a
 * superset (ops left out, or a program too long for the kernel's 16-bit
 * offsets, which sends none).
 */
int filter_bytecode(const struct filter *f, uint8_t family,
		    unsigned int without, void **bc, size_t *len, bool *exact);

/*
 * The expression as an s-expression, for tests and debugging:
 * "(and (dport = 22) (not (src inet 10.0.0.0/8 :*)))". Writes at most size
 * bytes (NUL included); returns the length it needed.
 */
size_t filter_print(const struct filter *f, char *buf, size_t size);

#endif
