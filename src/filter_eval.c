// SPDX-License-Identifier: MIT
/*
 * The userspace matcher: the AST run over one sock_rec with the kernel's
 * semantics (net/ipv4/inet_diag.c inet_diag_bc_run), and the AST printer.
 * filter_match() runs per row: no allocation, no I/O.
 */
#include "filter_ast.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "family.h"
#include "proc.h"

/* The first bits of a and b agree (the kernel's bitstring_match). */
static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes)) {
		return false;
	}
	if (!rest) {
		return true;
	}
	return !((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rest)));
}

bool filter_host_match(const struct fnode *n, uint8_t family,
		       const uint8_t *addr)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (n->family != AF_UNSPEC && n->family != family) {
		/* An IPv4 condition also matches v4-mapped IPv6 sockets. */
		return family == AF_INET6 && n->family == AF_INET &&
		       !memcmp(addr, mapped, sizeof(mapped)) &&
		       prefix_equal(addr + 12, n->addr, n->prefix);
	}
	return n->prefix == 0 || prefix_equal(addr, n->addr, n->prefix);
}

/* One of the processes holding the socket is n's (pid, or comm glob).
 * Not inlined: its buffer stays off the recursion of filter_eval_node(). */
static __attribute__((noinline)) bool owner_match(const struct filter *f,
						  const struct fnode *n,
						  const struct sock_rec *rec,
						  const struct proc_map *owners)
{
	struct proc_owner o;
	char name[PROC_NAME_MAX + 1];
	size_t cursor = 0;

	while (owners && proc_map_next(owners, rec->inode, &cursor, &o)) {
		if (n->kind == FN_PID) {
			if (o.pid == n->a) {
				return true;
			}
			continue;
		}
		memcpy(name, o.name, o.name_len);
		name[o.name_len] = '\0';
		if (!fnmatch(f->strs + n->a, name, 0)) {
			return true;
		}
	}
	return false;
}

/*
 * A UNIX name against a glob, as ss prints the name ("@" for abstract).
 * A dump names no peer (only its inode): dst matches no socket, as in ss.
 * (A family without names never gets here: leaf_match.)
 */
static bool path_match(const struct filter *f, const struct fnode *n,
		       const struct sock_rec *rec)
{
	char name[UNIX_NAME_MAX + 1];
	size_t len;

	if (n->dst) {
		return false;
	}
	len = family_unix_name(name, rec);
	if (!len || memchr(name, '\0', len)) {
		return false;
	}
	name[len] = '\0';
	return !fnmatch(f->strs + n->a, name, 0);
}

static bool ordered_match(uint8_t op, int64_t have, int64_t want)
{
	return op == FP_EQ   ? have == want
	       : op == FP_GE ? have >= want
			     : have <= want;
}

/*
 * A family's port (ss's int for VSOCK and netlink: VMADDR_PORT_ANY and a
 * kernel-chosen port id are negative, below every port in an order) is
 * the number written when their 32 bits are: `sport = :4294967295`.
 */
static bool port_equal(int64_t have, int64_t written)
{
	return (uint32_t)have == written;
}

/* The family entry's answer (family.h, enum family_pred) a leaf needs,
 * 0 for none; a family without it finds the leaf false, as ss does. */
static uint32_t leaf_pred(const struct fnode *n)
{
	switch (n->kind) {
	case FN_HOST:
		/* `src *`, `src :80` name no address: a port condition
		 * for any family; `src 0.0.0.0/0` is inet's */
		return n->family != AF_UNSPEC || n->prefix ? FPRED_ADDR : 0;
	case FN_PATH:
		return FPRED_PATH;
	case FN_UID:
	case FN_PID:
	case FN_COMM:
		return FPRED_OWNER;
	default:
		return 0;
	}
}

static bool leaf_match(const struct filter *f, const struct fnode *n,
		       const struct sock_rec *rec,
		       const struct proc_map *owners)
{
	uint32_t need = leaf_pred(n);
	uint8_t buf[16], af;
	const uint8_t *addr;
	int64_t port;

	if (need && !family_answers(rec, need)) {
		return false;
	}
	switch (n->kind) {
	case FN_HOST:
		port = family_filter_port(rec, n->dst);
		if (n->port != -1 && !port_equal(port, n->port)) {
			return false;
		}
		/* No address to compare: a port condition (ss) */
		if (!family_answers(rec, FPRED_ADDR)) {
			return true;
		}
		addr = family_filter_addr(rec, n->dst, buf, &af);
		return filter_host_match(n, af, addr);
	case FN_PORT:
		port = family_filter_port(rec, n->dst);
		if (n->op == FP_EQ) {
			return port_equal(port, n->port);
		}
		return ordered_match(n->op, port, n->port);
	case FN_DEV:
		return rec->ifindex == n->a;
	case FN_MARK:
		/* The kernel reads the mark it does not report (no
		 * CAP_NET_ADMIN, TIME_WAIT) as 0 when it has none either. */
		return (rec->mark & n->b) == n->a;
	case FN_CGROUP:
		return rec->cgroup_id == n->id;
	case FN_UID:
		return ordered_match(n->op, rec->uid, n->a);
	case FN_PID:
	case FN_COMM:
		return owner_match(f, n, rec, owners);
	case FN_PATH:
		return path_match(f, n, rec);
	default: /* FN_AUTO */
		return family_autobound(rec, f->auto_lo, f->auto_hi);
	}
}

bool filter_eval_node(const struct filter *f, uint32_t i,
		      const struct sock_rec *rec, const struct proc_map *owners)
{
	const struct fnode *n = &f->nodes[i];

	switch (n->kind) {
	case FN_AND:
		return filter_eval_node(f, n->a, rec, owners) &&
		       filter_eval_node(f, n->b, rec, owners);
	case FN_OR:
		return filter_eval_node(f, n->a, rec, owners) ||
		       filter_eval_node(f, n->b, rec, owners);
	case FN_NOT:
		return !filter_eval_node(f, n->a, rec, owners);
	default:
		return leaf_match(f, n, rec, owners);
	}
}

bool filter_match_owners(const struct filter *f, const struct sock_rec *rec,
			 const struct proc_map *owners)
{
	return f->root < 0 ||
	       filter_eval_node(f, (uint32_t)f->root, rec, owners);
}

bool filter_match(const struct filter *f, const struct sock_rec *rec)
{
	return filter_match_owners(f, rec, NULL);
}

struct pbuf {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct pbuf *pb,
						      const char *fmt, ...)
{
	size_t room = pb->len < pb->size ? pb->size - pb->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? pb->buf + pb->len : NULL, room, fmt, ap);
	va_end(ap);
	pb->len += n > 0 ? (size_t)n : 0;
}

static void print_host(struct pbuf *pb, const struct fnode *n)
{
	static const char *const fams[] = {[AF_UNSPEC] = "any",
					   [AF_INET] = "inet",
					   [AF_INET6] = "inet6",
					   [AF_VSOCK] = "vsock"};
	char addr[INET6_ADDRSTRLEN] = "*";
	uint32_t cid;

	if (n->family == AF_VSOCK && n->prefix) {
		memcpy(&cid, n->addr, sizeof(cid));
		snprintf(addr, sizeof(addr), "%u", ntohl(cid));
	} else if (n->family != AF_UNSPEC && n->prefix) {
		inet_ntop(n->family, n->addr, addr, sizeof(addr));
	}
	put(pb, "(%s %s %s/%u :", n->dst ? "dst" : "src", fams[n->family], addr,
	    n->prefix);
	if (n->port < 0) {
		put(pb, "*)");
	} else {
		put(pb, "%lld)", (long long)n->port);
	}
}

/* Not inlined into print_node(): its buffer stays off the recursion. */
static __attribute__((noinline)) void print_comm(struct pbuf *pb,
						 const char *glob)
{
	char esc[128];

	filter_escape(esc, sizeof(esc), glob);
	put(pb, "(comm %s)", esc);
}

static __attribute__((noinline)) void print_path(struct pbuf *pb, bool dst,
						 const char *glob)
{
	char esc[128];

	filter_escape(esc, sizeof(esc), glob);
	put(pb, "(%s unix %s)", dst ? "dst" : "src", esc);
}

static void print_node(struct pbuf *pb, const struct filter *f, uint32_t i)
{
	static const char *const ops[] = {"=", ">=", "<="};
	const struct fnode *n = &f->nodes[i];

	switch (n->kind) {
	case FN_AND:
	case FN_OR:
		put(pb, "(%s ", n->kind == FN_AND ? "and" : "or");
		print_node(pb, f, n->a);
		put(pb, " ");
		print_node(pb, f, n->b);
		put(pb, ")");
		break;
	case FN_NOT:
		put(pb, "(not ");
		print_node(pb, f, n->a);
		put(pb, ")");
		break;
	case FN_HOST:
		print_host(pb, n);
		break;
	case FN_PORT:
		put(pb, "(%s %s %lld)", n->dst ? "dport" : "sport", ops[n->op],
		    (long long)n->port);
		break;
	case FN_DEV:
		if (n->a || !n->dev[0]) {
			put(pb, "(dev %u)", n->a);
		} else {
			put(pb, "(dev %s)", n->dev); /* not resolved yet */
		}
		break;
	case FN_MARK:
		put(pb, "(fwmark 0x%x/0x%x)", n->a, n->b);
		break;
	case FN_CGROUP:
		put(pb, "(cgroup %llu)", (unsigned long long)n->id);
		break;
	case FN_UID:
		put(pb, "(uid %s %u)", ops[n->op], n->a);
		break;
	case FN_PID:
		put(pb, "(pid %u)", n->a);
		break;
	case FN_COMM:
		print_comm(pb, f->strs + n->a);
		break;
	case FN_PATH:
		print_path(pb, n->dst, f->strs + n->a);
		break;
	default:
		put(pb, "(autobound)");
	}
}

size_t filter_print(const struct filter *f, char *buf, size_t size)
{
	struct pbuf pb = {.buf = buf, .size = size};

	if (size) {
		buf[0] = '\0';
	}
	if (f->root >= 0) {
		print_node(&pb, f, (uint32_t)f->root);
	}
	return pb.len;
}
