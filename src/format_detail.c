// SPDX-License-Identifier: MIT
/*
 * Detail blocks. Text follows ss's look (users:(...), timer:(...),
 * skmem:(...); the -i block is in format_tcp_info.c); JSON keeps the
 * kernel's raw units (bytes, microseconds) under stable names.
 */
#include "format_detail.h"

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroup.h"
#include "netns_find.h"
#include "proc.h"

/* Room kept free in a memory-only buffer for the blocks after users:(). */
#define TEXT_RESERVE 4096

bool detail_wanted(const struct opts *o)
{
	return o->processes || o->timers || o->extended || o->skmem ||
	       o->tcp_info;
}

uint32_t detail_diag_ext(const struct opts *o)
{
	uint32_t ext = 0;

	if (o->skmem) {
		ext |= 1u << (INET_DIAG_SKMEMINFO - 1);
	}
	if (o->tcp_info) {
		/* VEGASINFO also brings DCTCPINFO and BBRINFO, whichever
		 * the socket's algorithm has (the kernel's rule). */
		ext |= 1u << (INET_DIAG_INFO - 1) |
		       1u << (INET_DIAG_VEGASINFO - 1) |
		       1u << (INET_DIAG_CONG - 1);
	}
	return ext;
}

const char *detail_timer_name(uint8_t timer)
{
	/* idiag_timer values set by inet_sk_diag_fill() and the tw/req fills */
	static const char *const names[] = {
	    "off", "on", "keepalive", "timewait", "persist",
	};

	return timer < ARRAY_SIZE(names) ? names[timer] : "unknown";
}

size_t detail_duration(char *buf, uint32_t ms)
{
	uint32_t min = ms / 60000, sec = ms / 1000 % 60;
	int n;

	if (ms >= 600000) {
		n = sprintf(buf, "%umin", min);
	} else if (ms >= 60000) {
		n = sprintf(buf, "%umin%usec", min, sec);
	} else if (ms >= 10000) {
		n = sprintf(buf, "%usec", sec);
	} else if (ms >= 1000) {
		n = sprintf(buf, "%u.%03usec", sec, ms % 1000);
	} else {
		n = sprintf(buf, "%ums", ms);
	}
	return (size_t)n;
}

static const char *shutdown_name(uint8_t mask)
{
	static const char *const names[] = {"none", "read", "write", "both"};

	return names[mask & 3];
}

/* ---- text ---- */

/* "LABEL:((...),...) " for the owners of n inodes (read unaligned: they
 * may sit in an attribute); nothing if none. */
static void text_owners(struct obuf *ob, const struct fmt_ctx *ctx,
			const char *label, const uint32_t *inodes, size_t n)
{
	struct proc_owner ow;
	bool first = true;

	for (size_t i = 0; i < n && ctx->procs; i++) {
		uint32_t ino;
		size_t cur = 0;

		memcpy(&ino, inodes + i, sizeof(ino));
		while (proc_map_next(ctx->procs, ino, &cur, &ow)) {
			if (first) {
				obuf_puts(ob, label);
				obuf_puts(ob, ":(");
			}
			if (ob->fd < 0 && ob->len + TEXT_RESERVE > ob->cap) {
				obuf_puts(ob, ",...");
				i = n;
				break;
			}
			obuf_puts(ob, first ? "(\"" : ",(\"");
			obuf_escape_quoted(ob, ow.name, ow.name_len);
			obuf_printf(ob, "\",pid=%u,fd=%u)", ow.pid, ow.fd);
			first = false;
		}
	}
	if (!first) {
		obuf_puts(ob, ") ");
	}
}

/* Beyond ss: a connected UNIX socket's peer is named by inode only; its
 * owners (the same /proc map) follow as peer_users:(...), and a UNIX
 * listener's queued clients' as queued_users:(...). */
static void text_users(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	text_owners(ob, ctx, "users", &rec->inode, 1);
	if (rec->family == AF_UNIX && rec->peer_inode) {
		text_owners(ob, ctx, "peer_users", &rec->peer_inode, 1);
	}
	if (rec->family == AF_UNIX && rec->ext.icons_len) {
		text_owners(ob, ctx, "queued_users", rec->ext.icons,
			    rec->ext.icons_len);
	}
}

static void text_timer(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	char d[24];

	(void)ctx;
	if (rec->timer == 0) {
		return;
	}
	detail_duration(d, rec->expires_ms);
	obuf_printf(ob, "timer:(%s,%s,%u) ", detail_timer_name(rec->timer), d,
		    rec->retrans);
}

static void text_extended(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	obuf_printf(ob, "uid:%u ino:%u sk:%llx ", rec->uid, rec->inode,
		    (unsigned long long)rec->cookie);
	if (rec->has_mark && rec->mark) {
		obuf_printf(ob, "fwmark:0x%x ", rec->mark);
	}
	if (rec->has_cgroup) {
		const char *path = cgroups_path(ctx->cgroups, rec->cgroup_id);

		if (path) {
			obuf_puts(ob, "cgroup:");
			obuf_escape_text(ob, path, strlen(path));
			obuf_putc(ob, ' ');
		} else {
			/* As ss: an id no path here has (another cgroup
			 * namespace, a removed cgroup), in hex. */
			obuf_printf(ob, "cgroup:unreachable:%llx ",
				    (unsigned long long)rec->cgroup_id);
		}
	}
	if (rec->v6only >= 0) {
		obuf_printf(ob, "v6only:%d ", rec->v6only);
	}
	if (rec->has_shutdown && rec->shutdown) {
		obuf_printf(ob, "shutdown:%s ", shutdown_name(rec->shutdown));
	}
}

/* Text skmem:(r0,rb131072,...) or JSON "skmem":{...}: what the kernel sent. */
static void put_skmem(struct obuf *ob, const struct sock_rec *rec, bool json)
{
	static const struct {
		const char *abbr, *name;
	} keys[SK_MEMINFO_VARS] = {
	    {"r", "rmem_alloc"}, {"rb", "rcvbuf"},   {"t", "wmem_alloc"},
	    {"tb", "sndbuf"},	 {"f", "fwd_alloc"}, {"w", "wmem_queued"},
	    {"o", "optmem"},	 {"bl", "backlog"},  {"d", "drops"},
	};
	size_t n = rec->ext.skmem_len;

	if (!rec->ext.skmem) {
		return;
	}
	obuf_puts(ob, json ? ",\"skmem\":{" : "skmem:(");
	for (size_t i = 0; i < n && i < SK_MEMINFO_VARS; i++) {
		if (json) {
			obuf_printf(ob, "%s\"%s\":%u", i ? "," : "",
				    keys[i].name, rec->ext.skmem[i]);
		} else {
			obuf_printf(ob, "%s%s%u", i ? "," : "", keys[i].abbr,
				    rec->ext.skmem[i]);
		}
	}
	obuf_puts(ob, json ? "}" : ") ");
}

static void text_skmem(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	(void)ctx;
	put_skmem(ob, rec, false);
}

static void text_tcp_info(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	detail_tcp_text(ob, ctx->o, rec);
}

/* ---- JSON ---- */

static void json_key(struct obuf *ob, const char *key)
{
	obuf_puts(ob, ",\"");
	obuf_puts(ob, key);
	obuf_write(ob, "\":", 2);
}

static void json_num(struct obuf *ob, const char *key, uint64_t v)
{
	json_key(ob, key);
	obuf_u64(ob, v);
}

static void json_owners(struct obuf *ob, const struct fmt_ctx *ctx,
			const char *key, uint32_t inode)
{
	struct proc_owner ow;
	size_t cur = 0;
	bool first = true;

	json_key(ob, key);
	obuf_putc(ob, '[');
	while (ctx->procs && proc_map_next(ctx->procs, inode, &cur, &ow)) {
		obuf_puts(ob, first ? "{\"name\":" : ",{\"name\":");
		obuf_json_string(ob, ow.name, ow.name_len);
		obuf_printf(ob, ",\"pid\":%u,\"fd\":%u}", ow.pid, ow.fd);
		first = false;
	}
	obuf_putc(ob, ']');
}

/* "queued_process": the owners of the queued clients, in queue order. */
static void queued_owners(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	struct proc_owner ow;
	bool first = true;

	json_key(ob, "queued_process");
	obuf_putc(ob, '[');
	for (size_t i = 0; i < rec->ext.icons_len; i++) {
		uint32_t ino;
		size_t cur = 0;

		memcpy(&ino, rec->ext.icons + i, sizeof(ino));
		while (ctx->procs &&
		       proc_map_next(ctx->procs, ino, &cur, &ow)) {
			obuf_puts(ob, first ? "{\"name\":" : ",{\"name\":");
			obuf_json_string(ob, ow.name, ow.name_len);
			obuf_printf(ob, ",\"pid\":%u,\"fd\":%u,\"inode\":%u}",
				    ow.pid, ow.fd, ino);
			first = false;
		}
	}
	obuf_putc(ob, ']');
}

static void json_process(struct obuf *ob, const struct fmt_ctx *ctx,
			 const struct sock_rec *rec)
{
	json_owners(ob, ctx, "process", rec->inode);
	if (rec->family == AF_UNIX && rec->peer_inode) {
		json_owners(ob, ctx, "peer_process", rec->peer_inode);
	}
	if (rec->family == AF_UNIX && rec->state == SS_LISTEN) {
		queued_owners(ob, ctx, rec);
	}
}

static void json_timer(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	(void)ctx;
	json_key(ob, "timer");
	obuf_printf(ob, "{\"name\":\"%s\",\"expires_ms\":%u,\"retrans\":%u}",
		    detail_timer_name(rec->timer),
		    rec->timer ? rec->expires_ms : 0, rec->retrans);
}

static void json_extended(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	if (rec->has_mark) {
		json_num(ob, "fwmark", rec->mark);
	}
	if (rec->has_cgroup) {
		const char *path = cgroups_path(ctx->cgroups, rec->cgroup_id);

		json_num(ob, "cgroup_id", rec->cgroup_id);
		if (path) {
			json_key(ob, "cgroup");
			obuf_json_string(ob, path, strlen(path));
		}
	}
	if (rec->v6only >= 0) {
		json_key(ob, "v6only");
		obuf_puts(ob, rec->v6only ? "true" : "false");
	}
	if (rec->has_shutdown) {
		json_key(ob, "shutdown");
		obuf_printf(ob, "\"%s\"", shutdown_name(rec->shutdown));
	}
}

static void json_skmem(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	(void)ctx;
	put_skmem(ob, rec, true);
}

static void json_tcp_info(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	(void)ctx;
	detail_tcp_json(ob, rec);
}

typedef void (*block_fn)(struct obuf *ob, const struct fmt_ctx *ctx,
			 const struct sock_rec *rec);

/* Labels of a namespace that are known only for some (container...). */
static void json_opt_string(struct obuf *ob, const char *key, const char *s)
{
	if (s[0]) {
		json_key(ob, key);
		obuf_json_string(ob, s, strlen(s));
	}
}

/* {inode, label, kind, pid} (issue 19), and runtime, container, pod and
 * unit where the label came from one. */
void detail_json_netns(struct obuf *ob, const struct netns_entry *e)
{
	if (!e) {
		obuf_puts(ob, "null");
		return;
	}
	obuf_puts(ob, "{\"inode\":");
	obuf_u64(ob, e->ino);
	json_key(ob, "label");
	obuf_json_string(ob, e->label.text, strlen(e->label.text));
	json_key(ob, "kind");
	obuf_json_string(ob, netns_kind_name(e->label.kind),
			 strlen(netns_kind_name(e->label.kind)));
	json_key(ob, "pid");
	if (e->pid) {
		obuf_u64(ob, (uint64_t)e->pid);
	} else {
		obuf_puts(ob, "null");
	}
	json_opt_string(ob, "runtime", e->label.runtime);
	json_opt_string(ob, "container", e->label.container);
	json_opt_string(ob, "pod", e->label.pod);
	json_opt_string(ob, "unit", e->label.unit);
	obuf_putc(ob, '}');
}

/* The blocks in output order, each with its text and JSON writers. */
static const struct detail_block {
	size_t opt;    /* offsetof the bool in struct opts that asks for it */
	block_fn text; /* each text ends in a space when it wrote anything */
	block_fn json;
} blocks[] = {
    {offsetof(struct opts, processes), text_users, json_process},
    {offsetof(struct opts, timers), text_timer, json_timer},
    {offsetof(struct opts, extended), text_extended, json_extended},
    {offsetof(struct opts, skmem), text_skmem, json_skmem},
    {offsetof(struct opts, tcp_info), text_tcp_info, json_tcp_info},
};

static bool block_wanted(const struct opts *o, const struct detail_block *b)
{
	return *(const bool *)((const char *)o + b->opt);
}

void detail_text(struct obuf *ob, const struct fmt_ctx *ctx,
		 const struct sock_rec *rec)
{
	size_t start = ob->len;

	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		if (block_wanted(ctx->o, &blocks[i])) {
			blocks[i].text(ob, ctx, rec);
		}
	}
	/* The last block's trailing space is not wanted. */
	if (ob->len > start && ob->buf[ob->len - 1] == ' ') {
		ob->len--;
	}
}

void detail_json(struct obuf *ob, const struct fmt_ctx *ctx,
		 const struct sock_rec *rec)
{
	const struct opts *o = ctx->o;

	if (o->netns || o->all_netns) {
		json_key(ob, "netns");
		detail_json_netns(ob, ctx->ns_entry);
	}
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		if (block_wanted(o, &blocks[i])) {
			blocks[i].json(ob, ctx, rec);
		}
	}
}
