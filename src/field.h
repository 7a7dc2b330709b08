/*
 * field.h - the field registry: one entry per column a socket has, as
 * htop's Process_fields[]. The list table (format_table.c), the JSON
 * writer (format_json.c) and top (top_items.c sorts, top_view.c draws)
 * all take their columns from it: name, JSON key, titles, width rules,
 * getters and the comparator live in one entry (field.c), so a new column
 * is one entry there plus its id where a view lists its columns.
 *
 * Two getters per column, one per record type: the list and JSON read a
 * struct sock_rec (valid during the row callback), top reads its items
 * (struct top_ref, a socket or a group of them: its queues are sums).
 * Every member may be NULL/0: the column is then absent from that view.
 */
#ifndef SOCKSCOPE_FIELD_H
#define SOCKSCOPE_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field_id.h"
#include "format.h"
#include "top_model.h"

/* top_view.h: what top's cells are drawn with (endpoints' services,
 * namespace labels). */
struct top_env;

/* Room a text getter may use in its cell (heap room beyond: field_room). */
struct field_cell {
	char text[ENDPOINT_STRLEN];
	char *big; /* owned: field_cell_finish() frees it */
	size_t big_cap;
};

/* What top shows a column with; top_view.c's layout reads it. */
enum field_need {
	FIELD_NEED_PROCESS = 1 << 0,  /* process names are known (-p) */
	FIELD_NEED_EXTENDED = 1 << 1, /* -e */
	FIELD_NEED_NETNS = 1 << 2,    /* --all-netns */
	/* Tables beyond TCP and UDP, more than one (as the listing's
	 * Netid column): top_ui_have() */
	FIELD_NEED_NETID = 1 << 3,
};

struct field {
	const char *name; /* the field's name in docs: "recv_q" */
	const char *json; /* JSON key; NULL: not in the object */

	/* The list table. */
	const char *title; /* header; NULL: not a column of the list */
	/* Shown for this listing? NULL: always. */
	bool (*shown)(const struct fmt_ctx *ctx);
	/* The widest text the column can hold, for a streamed listing
	 * (no later row may widen it); NULL: the measured width. */
	size_t (*bound)(const struct fmt_ctx *ctx);
	bool spread; /* takes a share of the terminal's spare columns */

	/* Getters on a record: text for the table and JSON strings, or a
	 * number (the table prints it in decimal, JSON as a number). The
	 * text is in c->text, c->big or static; *len is set. */
	const char *(*text)(struct field_cell *c, const struct fmt_ctx *ctx,
			    const struct sock_rec *rec, size_t *len);
	uint64_t (*num)(const struct sock_rec *rec);
	/* JSON written by the field itself, each key with its ',' first
	 * (several keys, or some only for some records); else the key with
	 * num or text (as a JSON string). */
	void (*json_put)(struct fmt_ctx *ctx, const struct sock_rec *rec);
	/* text is a name of ours (no quote, backslash or control byte):
	 * JSON takes it as is, not through the escaper (the hot path). */
	bool json_plain;

	/* top. */
	const char *top_title; /* NULL: not a column of top */
	int top_width;	       /* fixed, or the minimum of a flex column */
	int keep;   /* drop order when narrow: lowest first; 100 never */
	bool flex;  /* as wide as its widest text on screen */
	bool right; /* right-aligned */
	bool desc;  /* sorts largest first (numbers) */
	unsigned int needs; /* enum field_need bits */
	/* The item's value as a number: its cell (in decimal, without
	 * top_cell) and its order (without top_cmp). */
	uint64_t (*top_num)(const struct top_ref *it);
	int (*top_cmp)(const struct top_ref *a, const struct top_ref *b,
		       enum top_group g);
	void (*top_cell)(struct obuf *lb, const struct top_env *env,
			 const struct top_ref *it, enum top_group g);
};

/* The entry of id; every id below FIELD_MAX has one. */
const struct field *field_get(enum field_id id);

/* The table's text of f for rec (numbers in decimal); *len set. Inline:
 * the list calls it for every cell. */
static inline const char *field_text(const struct field *f,
				     struct field_cell *c,
				     const struct fmt_ctx *ctx,
				     const struct sock_rec *rec, size_t *len)
{
	if (f->text) {
		return f->text(c, ctx, rec, len);
	}
	*len = f->num ? u64_dec(c->text, f->num(rec)) : 0;
	return c->text;
}
/* n bytes of room in c (its text, else heap kept for the next rows). */
char *field_room(struct field_cell *c, size_t n);
void field_cell_finish(struct field_cell *c);

/* The JSON members (field.c's json_order[]), keys written out once per listing
 * (field_json_plan) so that a row costs one write per key. */
#define FIELD_JSON_KEY_MAX 24
struct field_json_plan {
	size_t n;
	const struct field *f[FIELD_MAX];
	char key[FIELD_MAX][FIELD_JSON_KEY_MAX]; /* ,"key": and a '"' */
	uint8_t key_len[FIELD_MAX];
};

void field_json_plan(struct field_json_plan *p);
/* The JSON members of rec, after the '{'. */
void field_json(const struct field_json_plan *p, struct fmt_ctx *ctx,
		const struct sock_rec *rec);

/* top: a's order against b's by f (ascending; the caller turns it).
 * Inline: a sort calls it for every comparison. */
static inline int field_top_cmp(const struct field *f, const struct top_ref *a,
				const struct top_ref *b, enum top_group g)
{
	uint64_t x, y;

	if (f->top_cmp) {
		return f->top_cmp(a, b, g);
	}
	if (!f->top_num) {
		return 0;
	}
	x = f->top_num(a);
	y = f->top_num(b);
	return (x > y) - (x < y);
}
/* top: the cell of it in column f into lb (not fitted to a width). */
void field_top_cell(const struct field *f, struct obuf *lb,
		    const struct top_env *env, const struct top_ref *it,
		    enum top_group g);

/* top's endpoint text of a row's record (the confirm dialog uses it
 * too). */
void field_top_endpoint(struct obuf *lb, const struct fmt_ctx *fc,
			const struct sock_rec *rec, bool peer);

#endif
