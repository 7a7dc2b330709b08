// SPDX-License-Identifier: MIT
/*
 * The UNIX family over unix_diag: stream, dgram and seqpacket sockets with
 * their names, inodes, peers and queues, as `ss -x` shows them.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "diag_parse.h"
#include "family.h"
#include "format.h"
#include "opts.h"
#include "state.h"
#include "util.h"

static void unix_put_request(struct nlmsghdr *nlh, const struct diag_req *req)
{
	struct unix_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r->sdiag_family = AF_UNIX;
	r->udiag_states = req->states;
	/* What the table shows, as ss asks; the uid (-e, JSON, `uid`) and the
	 * queued connections (-e, -p, JSON) unless the rows are lean. Never
	 * UDIAG_SHOW_VFS: nothing reads it, and it is the kernel's costliest
	 * (a lookup of the bound file's inode per socket). */
	r->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	if (!req->lean) {
		r->udiag_show |= UDIAG_SHOW_UID | UDIAG_SHOW_ICONS;
	}
	/* -m: the same sk_meminfo array inet_diag sends. */
	if (req->ext & (1u << (INET_DIAG_SKMEMINFO - 1))) {
		r->udiag_show |= UDIAG_SHOW_MEMINFO;
	}
}

static void parse_attr(const struct nlattr *a, struct sock_rec *rec)
{
	const void *p = diag_attr_data(a);
	size_t len = diag_attr_len(a);

	switch (diag_attr_type(a)) {
	case UNIX_DIAG_NAME:
		/* sun_path holds at most 108 bytes. */
		if (len > 0 && len <= UNIX_NAME_MAX) {
			rec->ext.path = p;
			rec->ext.path_len = (uint16_t)len;
		}
		break;
	case UNIX_DIAG_PEER:
		if (len >= 4) {
			rec->peer_inode = diag_attr_u32(a);
		}
		break;
	case UNIX_DIAG_RQLEN:
		/* A listener: queued connections and backlog. */
		if (len >= sizeof(struct unix_diag_rqlen)) {
			const struct unix_diag_rqlen *q = p;

			rec->recv_q = q->udiag_rqueue;
			rec->send_q = q->udiag_wqueue;
		}
		break;
	case UNIX_DIAG_ICONS:
		/* Bounded by the attribute; a queue is at most 65535 long. */
		rec->ext.icons = p;
		rec->ext.icons_len = (uint16_t)(len / sizeof(uint32_t) > 0xffff
						    ? 0xffff
						    : len / sizeof(uint32_t));
		break;
	case UNIX_DIAG_MEMINFO:
		rec->ext.skmem = p;
		rec->ext.skmem_len = len / sizeof(uint32_t);
		break;
	case UNIX_DIAG_SHUTDOWN:
		if (len >= 1) {
			rec->shutdown = *(const uint8_t *)p;
			rec->has_shutdown = true;
		}
		break;
	case UNIX_DIAG_UID:
		if (len >= 4) {
			rec->uid = diag_attr_u32(a);
		}
		break;
	default:
		break;
	}
}

int diag_parse_unix(const struct nlmsghdr *nlh, uint8_t protocol,
		    struct sock_rec *rec)
{
	const struct unix_diag_msg *m =
	    diag_parse_msg(nlh, sizeof(*m), AF_UNIX, rec);

	(void)protocol; /* the message names its type */
	if (!m) {
		return -EBADMSG;
	}
	rec->protocol = m->udiag_type;
	rec->state = m->udiag_state;
	rec->inode = m->udiag_ino;
	rec->cookie = diag_parse_cookie(m->udiag_cookie);
	return diag_parse_attrs(nlh, sizeof(*m), parse_attr, rec);
}

static const char *unix_netid(const struct sock_rec *rec, char buf[8])
{
	switch (rec->protocol) {
	case SOCK_STREAM:
		return "u_str";
	case SOCK_DGRAM:
		return "u_dgr";
	case SOCK_SEQPACKET:
		return "u_seq";
	default:
		snprintf(buf, 8, "u_%u", rec->protocol);
		return buf;
	}
}

size_t family_unix_name(char buf[UNIX_NAME_MAX], const struct sock_rec *rec)
{
	return rec->ext.path
		   ? family_unix_name_of(buf, rec->ext.path, rec->ext.path_len)
		   : 0;
}

size_t family_unix_name_of(char buf[UNIX_NAME_MAX], const char *raw, size_t n)
{
	if (n == 0) {
		return 0;
	}
	memcpy(buf, raw, n);
	if (buf[0] == '\0') {
		for (size_t i = 0; i < n; i++) {
			buf[i] = buf[i] ? buf[i] : '@';
		}
		return n;
	}
	/* A path ends at its NUL (the kernel may send it). */
	return strnlen(buf, n);
}

/* The name as the table shows it: escaped, '*' for none. */
static size_t name_text(char *buf, const struct sock_rec *rec)
{
	char raw[UNIX_NAME_MAX];
	size_t n = family_unix_name(raw, rec);

	if (!n) {
		buf[0] = '*';
		return 1;
	}
	return escape_text(buf, raw, n);
}

/* "NAME INODE": the name (or '*'), then the inode as ss's "port"; the
 * peer is '*' and its inode (0: none), as ss prints it from the dump. */
static size_t unix_endpoint(char *buf, const struct fmt_ctx *ctx,
			    const struct sock_rec *rec, bool peer)
{
	size_t n;

	(void)ctx;
	if (peer) {
		buf[0] = '*';
		n = 1;
	} else {
		n = name_text(buf, rec);
	}
	buf[n++] = ' ';
	return n + u64_dec(buf + n, peer ? rec->peer_inode : rec->inode);
}

static void unix_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct obuf *ob = ctx->out;

	obuf_puts(ob, ",\"local\":{");
	if (rec->ext.path && rec->ext.path_len) {
		bool abstract = rec->ext.path[0] == '\0';
		size_t n = abstract ? rec->ext.path_len
				    : strnlen(rec->ext.path, rec->ext.path_len);

		/* The name's bytes after the abstract NUL, unescaped:
		 * JSON strings say any byte. */
		obuf_puts(ob, abstract ? "\"abstract\":" : "\"path\":");
		obuf_json_string(ob, rec->ext.path + abstract, n - abstract);
		obuf_putc(ob, ',');
	}
	obuf_printf(ob, "\"inode\":%u},\"peer\":{\"inode\":%u}", rec->inode,
		    rec->peer_inode);
	/* Beyond ss: a listener names the clients waiting in its queue. */
	if (rec->state == SS_LISTEN) {
		obuf_puts(ob, ",\"queued\":[");
		for (size_t i = 0; i < rec->ext.icons_len; i++) {
			uint32_t ino;

			memcpy(&ino, rec->ext.icons + i, sizeof(ino));
			obuf_printf(ob, i ? ",%u" : "%u", ino);
		}
		obuf_putc(ob, ']');
	}
}

/* ss's defaults: as TCP's */
static const struct family_table unix_tables[] = {
    {"u_str", PROTO_UNIX_STREAM, SOCK_STREAM, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {"u_dgr", PROTO_UNIX_DGRAM, SOCK_DGRAM, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {"u_seq", PROTO_UNIX_SEQPACKET, SOCK_SEQPACKET, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query unix_queries[] = {
    {"unix", PROTO_UNIX_MASK},
    {"unix_stream", PROTO_UNIX_STREAM},
    {"unix_dgram", PROTO_UNIX_DGRAM},
    {"unix_seqpacket", PROTO_UNIX_SEQPACKET},
    {NULL, 0},
};

/* top's key: the peer's inode (u32), whether named (a name may be
 * empty), the name's bytes. */
enum {
	UNIX_KEY_PEER = 0,
	UNIX_KEY_NAMED = 4,
	UNIX_KEY_NAME = 5, /* to the key's end */
};

static size_t unix_key(uint8_t *buf, const struct sock_rec *rec)
{
	size_t path_len = rec->ext.path ? rec->ext.path_len : 0;

	if (path_len > UNIX_NAME_MAX) {
		path_len = UNIX_NAME_MAX;
	}
	memcpy(buf + UNIX_KEY_PEER, &rec->peer_inode, 4);
	buf[UNIX_KEY_NAMED] = rec->ext.path != NULL;
	if (path_len) {
		memcpy(buf + UNIX_KEY_NAME, rec->ext.path, path_len);
	}
	return UNIX_KEY_NAME + path_len;
}

static void unix_key_rec(const uint8_t *key, size_t len, struct sock_rec *rec)
{
	if (len < UNIX_KEY_NAME) {
		return;
	}
	memcpy(&rec->peer_inode, key + UNIX_KEY_PEER, 4);
	if (key[UNIX_KEY_NAMED]) {
		rec->ext.path = (const char *)key + UNIX_KEY_NAME;
		rec->ext.path_len = (uint16_t)(len - UNIX_KEY_NAME);
	}
}

/* By the peer's inode; by the name's bytes, a shorter name first. */
static int unix_key_cmp(const uint8_t *a, size_t na, const uint8_t *b,
			size_t nb, bool peer)
{
	int c;

	if (na < UNIX_KEY_NAME || nb < UNIX_KEY_NAME) {
		return (na > nb) - (na < nb);
	}
	if (peer) {
		return family_key_cmp_u32(a, b, UNIX_KEY_PEER);
	}
	c = memcmp(a + UNIX_KEY_NAME, b + UNIX_KEY_NAME,
		   (na < nb ? na : nb) - UNIX_KEY_NAME);
	return c ? c : (na > nb) - (na < nb);
}

/* ss's autobound: unnamed, or the name an autobind gets ('@' and five hex
 * digits). */
static bool unix_autobound(const struct sock_rec *rec)
{
	char name[UNIX_NAME_MAX + 1];
	size_t n = family_unix_name(name, rec);

	name[n] = '\0';
	return n == 0 || (n == 6 && name[0] == '@' &&
			  strspn(name + 1, "0123456789abcdef") == 5);
}

/* A port condition on a UNIX socket compares its inode (its peer's for
 * dport), the number ss keeps as its port; ss 6.1 never parses the number
 * of such a condition and compares with -1 (man page, FILTER). */
static int64_t unix_filter_port(const struct sock_rec *rec, bool peer)
{
	return peer ? rec->peer_inode : rec->inode;
}

static const struct family_opt unix_opts[] = {
    {'x', "unix", PROTO_UNIX_MASK, 0},
    {0, NULL, 0, 0},
};

static const struct family_query unix_fam_names[] = {
    {"unix", FAM_UNIX},
    {"local", FAM_UNIX},
    {NULL, 0},
};

const struct sock_family family_unix = {
    .name = "unix",
    .af = AF_UNIX,
    .fam_bits = FAM_UNIX,
    .proto_bits = PROTO_UNIX_MASK,
    .opts = unix_opts,
    .fam_names = unix_fam_names,
    .queries = unix_queries,
    .preds = FPRED_PATH | FPRED_OWNER,
    .no_kill = "the kernel cannot destroy UNIX sockets (SOCK_DESTROY "
	       "is inet only)",
    .tables = unix_tables,
    .dump = FDUMP_FAMILY,
    .parse = diag_parse_unix,
    .put_request = unix_put_request,
    .netid = unix_netid,
    .endpoint = unix_endpoint,
    .json = unix_json,
    .key = unix_key,
    .key_rec = unix_key_rec,
    .key_cmp = unix_key_cmp,
    .filter_port = unix_filter_port,
    .autobound = unix_autobound,
};
