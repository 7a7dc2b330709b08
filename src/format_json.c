// SPDX-License-Identifier: MIT
/*
 * JSON (one array, streamed) and NDJSON (one object per line). Both write
 * the same object; field names are a stable contract (man page, JSON
 * OUTPUT): add fields, never rename them.
 */
#include "format.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "family.h"
#include "format_detail.h"
#include "ifname.h"
#include "state.h"

struct json_state {
	bool first;
};

static void put_key(struct obuf *ob, const char *key)
{
	obuf_putc(ob, '"');
	obuf_puts(ob, key);
	obuf_write(ob, "\":", 2);
}

static void put_num(struct obuf *ob, const char *key, uint64_t v)
{
	obuf_putc(ob, ',');
	put_key(ob, key);
	obuf_u64(ob, v);
}

static void put_object(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct obuf *ob = ctx->out;
	const struct sock_family *f = family_of(rec->family);
	char netid[8];

	obuf_puts(ob, "{\"netid\":\"");
	obuf_puts(ob, format_rec_netid(rec, netid));
	obuf_puts(ob, "\",\"family\":\"");
	obuf_puts(ob, format_family_name(rec));
	obuf_puts(ob, "\",\"state\":\"");
	obuf_puts(ob, format_rec_state(rec));
	obuf_putc(ob, '"');
	put_num(ob, "state_code", rec->state);
	put_num(ob, "recv_q", rec->recv_q);
	put_num(ob, "send_q", rec->send_q);
	if (f) {
		f->json(ctx, rec);
	}
	if (rec->ifindex) {
		char name[IFNAME_BUFLEN];

		put_num(ob, "ifindex", rec->ifindex);
		/* No name (gone, or not in a --load file): ifindex only. */
		if (ifnames_lookup(ctx->ifn, rec->ifindex, name)) {
			obuf_putc(ob, ',');
			put_key(ob, "dev");
			obuf_json_string(ob, name,
					 strnlen(name, IFNAME_BUFLEN));
		}
	}
	put_num(ob, "inode", rec->inode);
	put_num(ob, "uid", rec->uid);
	put_num(ob, "cookie", rec->cookie);
	detail_json(ob, ctx, rec);
	obuf_putc(ob, '}');
}

static void json_begin(struct fmt_ctx *ctx)
{
	struct json_state *js = xmalloc(sizeof(*js));

	js->first = true;
	ctx->priv = js;
	obuf_putc(ctx->out, '[');
}

static void json_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct json_state *js = ctx->priv;

	obuf_puts(ctx->out, js->first ? "\n" : ",\n");
	js->first = false;
	put_object(ctx, rec);
}

static void json_end(struct fmt_ctx *ctx)
{
	obuf_puts(ctx->out, "\n]\n");
	free(ctx->priv);
	ctx->priv = NULL;
}

static void ndjson_begin(struct fmt_ctx *ctx)
{
	ctx->priv = NULL;
}

static void ndjson_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	put_object(ctx, rec);
	obuf_putc(ctx->out, '\n');
}

static void ndjson_end(struct fmt_ctx *ctx)
{
	(void)ctx;
}

const struct fmt_ops fmt_json = {
    .name = "json",
    .begin = json_begin,
    .row = json_row,
    .end = json_end,
};

const struct fmt_ops fmt_ndjson = {
    .name = "ndjson",
    .begin = ndjson_begin,
    .row = ndjson_row,
    .end = ndjson_end,
};
