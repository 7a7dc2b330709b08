/*
 * filter_ast.h - the parsed filter expression, shared by the parser
 * (filter.c), its argument readers (filter_arg.c), the userspace matcher
 * (filter_eval.c) and the bytecode compiler (filter_bc.c). Not for other
 * modules: they use filter.h.
 *
 * The tree lives in one array (struct filter.nodes); children are indexes.
 * Every leaf means exactly what the kernel's op of the same name means in
 * inet_diag_bc_run(), so the compiled program and the userspace matcher
 * agree by construction: `dport < 80` is stored as NOT(dport >= 80).
 * The owner leaves (uid, pid, comm) have no kernel op: the compiler leaves
 * them out (the kernel selects a superset) and only userspace tests them.
 */
#ifndef SOCKSCOPE_FILTER_AST_H
#define SOCKSCOPE_FILTER_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"

/* A bound on the tree: recursion over it stays shallow and fast. */
#define FILTER_MAX_NODES 8192
#define FILTER_MAX_DEPTH 128

enum fnode_kind {
	FN_AND,	   /* a and b */
	FN_OR,	   /* a or b */
	FN_NOT,	   /* not a */
	FN_HOST,   /* S_COND / D_COND: family, prefix, addr, port */
	FN_PORT,   /* S_EQ/S_GE/S_LE, D_EQ/D_GE/D_LE: op, port */
	FN_DEV,	   /* DEV_COND: ifindex */
	FN_MARK,   /* MARK_COND: (mark & mask) == value */
	FN_CGROUP, /* CGROUP_COND: cgroup v2 id */
	FN_AUTO,   /* AUTO: port chosen by the kernel */
	FN_UID,	   /* userspace: op, a = uid (the kernel's idiag_uid) */
	FN_PID,	   /* userspace: a = pid; true when one of the owners has it */
	FN_COMM,   /* userspace: a = offset of the glob in strs; as FN_PID */
	FN_PATH,   /* userspace: a = offset of a UNIX name glob in strs
		    * (src PATH-GLOB, src @name); dst: the peer's */
};

enum fport_op { FP_EQ, FP_GE, FP_LE };

struct fnode {
	uint8_t kind;	/* enum fnode_kind */
	bool dst;	/* FN_HOST, FN_PORT: the peer side */
	uint8_t op;	/* FN_PORT, FN_UID: enum fport_op */
	uint8_t family; /* FN_HOST: AF_UNSPEC, AF_INET, AF_INET6 */
	uint8_t prefix; /* FN_HOST: bits of addr that must match */
	/* FN_HOST: -1 any, else as FN_PORT; FN_PORT: 0..4294967295, the
	 * number written (an inet port above 65535 is none of its rows') */
	int64_t port;
	uint32_t a, b;	  /* children (AND, OR: a b; NOT: a); DEV: a = ifindex;
			   * MARK: a = value, b = mask */
	uint64_t id;	  /* FN_CGROUP */
	uint8_t addr[16]; /* FN_HOST: network order, IPv4 in the first 4 */
	/* FN_DEV: the name as given, resolved to a in each namespace read
	 * (filter_resolve_devs); "" for an index only. */
	char dev[16];
};

struct filter {
	bool has_states;
	uint32_t states;
	int root; /* index of the expression, -1 when none */
	struct fnode *nodes;
	uint32_t n_nodes, cap_nodes;
	uint16_t auto_lo; /* userspace `autobound`: the ephemeral range */
	uint16_t auto_hi;
	bool needs_owners; /* the tree has FN_PID or FN_COMM */
	bool names_uid;	   /* the tree has FN_UID */
	char *strs;	   /* FN_COMM, FN_PATH globs, each NUL-terminated */
	size_t strs_len, strs_cap;
	char *note; /* filter_note(), or NULL */
};

/* Userspace truth of node i for rec, owners as filter_match_owners(). */
bool filter_eval_node(const struct filter *f, uint32_t i,
		      const struct sock_rec *rec,
		      const struct proc_map *owners);

/* Kernel semantics of an address condition (bitstring_match + v4-mapped). */
bool filter_host_match(const struct fnode *n, uint8_t family,
		       const uint8_t *addr);

/* dst = s with bytes a terminal would interpret as \xNN; "..." if cut. */
void filter_escape(char *dst, size_t size, const char *s);

/*
 * Predicate arguments (filter_arg.c). Each returns NULL on success or why
 * the text is not what the predicate takes: a static string, or buf.
 */
const char *filter_arg_host(const char *s, struct fnode *n);
/* [:]NUMBER (0-65535 when inet, the port of an inet address, else up to
 * 4294967295: VSOCK ports are 32 bits), [:]SERVICE, or '*' (-1) when
 * allow_any. */
const char *filter_arg_port(const char *s, bool allow_any, bool inet,
			    int64_t *port);
/* A device name or index into n->dev and n->a (a provisional index from
 * the current namespace, 0 when it has no such name). */
const char *filter_arg_dev(const char *s, struct fnode *n);
const char *filter_arg_mark(const char *s, uint32_t *mark, uint32_t *mask);
const char *filter_arg_cgroup(const char *s, uint64_t *id, char *buf,
			      size_t size);
/* A uid: decimal, or a user name (getpwnam). */
const char *filter_arg_uid(const char *s, uint32_t *uid);
/* A pid: decimal, 1 and up. */
const char *filter_arg_pid(const char *s, uint32_t *pid);
/* The kernel's ephemeral port range (32768-60999 if unreadable). */
void filter_arg_port_range(uint16_t *lo, uint16_t *hi);

#endif
