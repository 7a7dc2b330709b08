// SPDX-License-Identifier: MIT
/*
 * JSON (one array, streamed) and NDJSON (one object per line). Both write
 * the same object; field names are a stable contract (man page, JSON
 * OUTPUT): add fields, never rename them. The members come from the
 * field registry (field.c's json_order[]); the detail blocks follow.
 */
#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "format_detail.h"

struct json_state {
	bool first;
	struct field_json_plan plan;
};

static struct json_state *state_new(void)
{
	struct json_state *js = xmalloc(sizeof(*js));

	js->first = true;
	field_json_plan(&js->plan);
	return js;
}

static void put_object(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	const struct json_state *js = ctx->priv;

	obuf_putc(ctx->out, '{');
	field_json(&js->plan, ctx, rec);
	detail_json(ctx->out, ctx, rec);
	obuf_putc(ctx->out, '}');
}

static void json_begin(struct fmt_ctx *ctx)
{
	ctx->priv = state_new();
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
	ctx->priv = state_new();
}

static void ndjson_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	put_object(ctx, rec);
	obuf_putc(ctx->out, '\n');
}

static void ndjson_end(struct fmt_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
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
