// SPDX-License-Identifier: MIT
/*
 * The filter language: a recursive-descent parser that builds the AST of
 * filter_ast.h from the numbered tokens of filter_lex.c (words and -F
 * text). Arguments of predicates are read by filter_arg.c.
 */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter_ast.h"
#include "filter_lex.h"
#include "state.h"
#include "util.h"

void filter_escape(char *dst, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *s && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[o++] = (char)c;
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	if (*s) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static const struct token *peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static const struct token *next(struct parser *p)
{
	const struct token *t = &p->toks[p->pos];

	if (t->kind != T_END) {
		p->pos++;
	}
	return t;
}

static int new_node(struct parser *p, uint8_t kind, const struct token *t,
		    uint32_t *out)
{
	struct filter *f = p->f;

	if (f->n_nodes == FILTER_MAX_NODES) {
		return filter_fail_at(p->err, t,
				      "filter too long (more than %d terms)",
				      FILTER_MAX_NODES);
	}
	if (f->n_nodes == f->cap_nodes) {
		f->cap_nodes = f->cap_nodes ? 2 * f->cap_nodes : 16;
		f->nodes = xrealloc(f->nodes, f->cap_nodes * sizeof(*f->nodes));
	}
	memset(&f->nodes[f->n_nodes], 0, sizeof(f->nodes[0]));
	f->nodes[f->n_nodes].kind = kind;
	*out = f->n_nodes++;
	return 0;
}

static int join(struct parser *p, uint8_t kind, const struct token *t,
		uint32_t a, uint32_t b, uint32_t *out)
{
	int ret = new_node(p, kind, t, out);

	if (!ret) {
		p->f->nodes[*out].a = a;
		p->f->nodes[*out].b = b;
	}
	return ret;
}

enum pred {
	P_SRC,
	P_DST,
	P_SPORT,
	P_DPORT,
	P_DEV,
	P_MARK,
	P_CGROUP,
	P_AUTO,
	P_UID,
	P_PID,
	P_COMM,
};

static const struct {
	const char *name;
	uint8_t pred;
	bool ordered;	  /* takes < > <= >= besides = and != */
	const char *what; /* the argument it expects */
} preds[] = {
    {"src", P_SRC, false, "an address"},
    {"dst", P_DST, false, "an address"},
    {"sport", P_SPORT, true, "a port"},
    {"dport", P_DPORT, true, "a port"},
    {"dev", P_DEV, false, "a device"},
    {"fwmark", P_MARK, false, "a mark"},
    {"cgroup", P_CGROUP, false, "a cgroup path"},
    {"autobound", P_AUTO, false, NULL},
    {"uid", P_UID, true, "a user"},
    {"pid", P_PID, false, "a process id"},
    {"comm", P_COMM, false, "a process name"},
};

static bool is_comparison(uint8_t kind)
{
	return kind >= T_EQ && kind <= T_GE;
}

/* The tree's op for a comparison token: `!=`, `<` and `>` become the NOT
 * of `=`, `>=` and `<=` (parse_leaf). */
static uint8_t ordered_op(uint8_t op)
{
	return op == T_EQ || op == T_NE	  ? FP_EQ
	       : op == T_GE || op == T_LT ? FP_GE
					  : FP_LE;
}

/* A copy of s in the filter's string arena; returns its offset. */
static uint32_t keep_string(struct filter *f, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)f->strs_len;

	while (f->strs_len + n > f->strs_cap) {
		f->strs_cap = f->strs_cap ? 2 * f->strs_cap : 64;
		f->strs = xrealloc(f->strs, f->strs_cap);
	}
	memcpy(f->strs + f->strs_len, s, n);
	f->strs_len += n;
	return off;
}

/* The owner leaves: userspace only (filter_ast.h). */
static const char *make_owner_leaf(struct filter *f, uint8_t pred, uint8_t op,
				   const char *arg, struct fnode *n)
{
	switch (pred) {
	case P_UID:
		n->kind = FN_UID;
		f->names_uid = true;
		n->op = ordered_op(op);
		return filter_arg_uid(arg, &n->a);
	case P_PID:
		n->kind = FN_PID;
		f->needs_owners = true;
		return filter_arg_pid(arg, &n->a);
	default:
		n->kind = FN_COMM;
		f->needs_owners = true;
		n->a = keep_string(f, arg);
		return NULL;
	}
}

/* The leaf for `PRED OP ARG`; why is set when ARG is bad. */
static const char *make_leaf(struct filter *f, uint8_t pred, uint8_t op,
			     const char *arg, struct fnode *n, char *buf,
			     size_t size)
{
	const char *why = NULL;

	switch (pred) {
	case P_SRC:
	case P_DST:
		n->dst = pred == P_DST;
		/* A UNIX name, as ss takes it: a path, @abstract, unix:... */
		if (arg[0] == '/' || arg[0] == '@' ||
		    !strncmp(arg, "unix:", 5)) {
			n->kind = FN_PATH;
			n->a = keep_string(f, arg + (arg[0] == 'u' ? 5 : 0));
			return NULL;
		}
		n->kind = FN_HOST;
		return filter_arg_host(arg, n);
	case P_SPORT:
	case P_DPORT:
		n->dst = pred == P_DPORT;
		why = filter_arg_port(arg, op == T_EQ || op == T_NE, false,
				      &n->port);
		if (why || n->port >= 0) {
			n->kind = FN_PORT;
			n->op = ordered_op(op);
		} else {
			n->kind = FN_HOST; /* `sport = *`: any port, any host */
		}
		return why;
	case P_DEV:
		n->kind = FN_DEV;
		return filter_arg_dev(arg, n);
	case P_MARK:
		n->kind = FN_MARK;
		return filter_arg_mark(arg, &n->a, &n->b);
	case P_CGROUP:
		n->kind = FN_CGROUP;
		return filter_arg_cgroup(arg, &n->id, buf, size);
	default:
		return make_owner_leaf(f, pred, op, arg, n);
	}
}

/* `PRED OP ARG` after the keyword kw, as a node in *out. */
static int parse_leaf(struct parser *p, const struct token *kw, size_t k,
		      uint32_t *out)
{
	const struct token *optok =
	    is_comparison(peek(p)->kind) ? next(p) : NULL;
	uint8_t op = optok ? optok->kind : T_EQ;
	const struct token *arg = peek(p);
	char ctx[80], a[64], buf[160];
	const char *why;
	int ret;

	snprintf(ctx, sizeof(ctx), "%s%s%.8s", kw->s, optok ? " " : "",
		 optok ? optok->s : "");
	filter_escape(a, sizeof(a), arg->s);
	if (op != T_EQ && op != T_NE && !preds[k].ordered) {
		return filter_fail_at(p->err, optok,
				      "'%s' takes = or !=, got '%s'", kw->s,
				      optok->s);
	}
	if (arg->kind != T_WORD) {
		return filter_fail_at(
		    p->err, arg, "expected %s after '%s'%s%s%s", preds[k].what,
		    ctx, *a ? ", got '" : "", a, *a ? "'" : "");
	}
	next(p);
	ret = new_node(p, FN_HOST, arg, out);
	if (ret) {
		return ret;
	}
	why = make_leaf(p->f, preds[k].pred, op, arg->s, &p->f->nodes[*out],
			buf, sizeof(buf));
	if (why == buf) {
		return filter_fail_at(p->err, arg, "%s", why);
	}
	if (why) {
		return filter_fail_at(p->err, arg, "%s after '%s', got '%s'",
				      why, ctx, a);
	}
	if (op == T_NE || op == T_LT || op == T_GT) {
		ret = join(p, FN_NOT, kw, *out, 0, out);
	}
	return ret;
}

static int parse_predicate(struct parser *p, const struct token *kw,
			   uint32_t *out)
{
	char a[64];
	int ret;

	for (size_t k = 0; k < ARRAY_SIZE(preds); k++) {
		if (strcasecmp(kw->s, preds[k].name)) {
			continue;
		}
		if (preds[k].pred != P_AUTO) {
			return parse_leaf(p, kw, k, out);
		}
		ret = new_node(p, FN_AUTO, kw, out);
		if (!ret && !p->f->auto_hi) {
			filter_arg_port_range(&p->f->auto_lo, &p->f->auto_hi);
		}
		return ret;
	}
	filter_escape(a, sizeof(a), kw->s);
	if (!strcmp(kw->s, "state") || !strcmp(kw->s, "exclude")) {
		return filter_fail_at(p->err, kw,
				      "'%s' must come before the "
				      "expression",
				      a);
	}
	return filter_fail_at(
	    p->err, kw,
	    "expected src, dst, sport, dport, dev, "
	    "fwmark, cgroup, autobound, uid, pid or comm, got '%s'",
	    a);
}

static int parse_or(struct parser *p, uint32_t *out);

/* An operand must follow t (an operator). */
static int need_operand(struct parser *p, const struct token *t)
{
	char a[64];

	if (peek(p)->kind != T_END) {
		return 0;
	}
	filter_escape(a, sizeof(a), t->s);
	return filter_fail_at(p->err, t, "expected an expression after '%s'",
			      a);
}

static int parse_group(struct parser *p, const struct token *open,
		       uint32_t *out)
{
	int ret = need_operand(p, open);

	if (ret) {
		return ret;
	}
	if (peek(p)->kind == T_RPAREN) {
		return filter_fail_at(p->err, peek(p), "empty parentheses");
	}
	ret = parse_or(p, out);
	if (ret) {
		return ret;
	}
	if (peek(p)->kind != T_RPAREN) {
		return filter_fail_at(p->err, open,
				      "unbalanced '(': no matching ')'");
	}
	next(p);
	return 0;
}

static int parse_unary(struct parser *p, uint32_t *out)
{
	const struct token *t = next(p);
	char a[64];
	int ret;

	if (++p->depth > FILTER_MAX_DEPTH) {
		return filter_fail_at(p->err, t, "nested deeper than %d",
				      FILTER_MAX_DEPTH);
	}
	switch (t->kind) {
	case T_NOT:
		ret = need_operand(p, t);
		ret = ret ? ret : parse_unary(p, out);
		ret = ret ? ret : join(p, FN_NOT, t, *out, 0, out);
		break;
	case T_LPAREN:
		ret = parse_group(p, t, out);
		break;
	case T_WORD:
		ret = parse_predicate(p, t, out);
		break;
	case T_RPAREN:
		ret = filter_fail_at(p->err, t, "unbalanced ')'");
		break;
	case T_END:
		ret = filter_fail_at(p->err, t, "expected an expression");
		break;
	default:
		filter_escape(a, sizeof(a), t->s);
		ret = filter_fail_at(p->err, t,
				     "expected an expression, got '%s'", a);
	}
	p->depth--;
	return ret;
}

static bool starts_operand(const struct token *t)
{
	return t->kind == T_WORD || t->kind == T_NOT || t->kind == T_LPAREN;
}

/* *joined: the chain has more than one operand (an `and` that ss, reading
 * left to right, may group differently when an `or` comes before it). */
static int parse_and(struct parser *p, uint32_t *out, bool *joined)
{
	int ret = parse_unary(p, out);

	*joined = false;
	while (!ret) {
		const struct token *t = peek(p);
		uint32_t rhs;

		if (t->kind == T_AND) {
			next(p);
			ret = need_operand(p, t);
		} else if (!starts_operand(t)) {
			break;
		}
		ret = ret ? ret : parse_unary(p, &rhs);
		ret = ret ? ret : join(p, FN_AND, t, *out, rhs, out);
		*joined = true;
	}
	return ret;
}

/* The note's reading puts an `and` chain that is an operand of `or` in
 * parentheses: tokens from..pos-1. */
static void bracket(struct parser *p, int from, bool joined)
{
	if (joined) {
		p->toks[from].open++;
		p->toks[p->pos - 1].close++;
	}
}

static int parse_or(struct parser *p, uint32_t *out)
{
	int first = p->pos, from;
	bool joined, lhs_joined;
	int ret = parse_and(p, out, &lhs_joined);

	if (!ret && peek(p)->kind == T_OR) {
		bracket(p, first, lhs_joined);
	}
	while (!ret && peek(p)->kind == T_OR) {
		const struct token *t = next(p);
		uint32_t rhs;

		from = p->pos;
		ret = need_operand(p, t);
		ret = ret ? ret : parse_and(p, &rhs, &joined);
		ret = ret ? ret : join(p, FN_OR, t, *out, rhs, out);
		if (!ret) {
			/* ss: (A or B) and C; here A or (B and C). */
			p->mixed |= joined;
			bracket(p, from, joined);
		}
	}
	return ret;
}

/* Append s to the note at *o (room for size - 1 bytes); false if full. */
static bool note_put(char *buf, size_t size, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n + 4 >= size) {
		memcpy(buf + *o, "...", 4);
		*o = size;
		return false;
	}
	memcpy(buf + *o, s, n + 1);
	*o += n;
	return true;
}

/* The expression's tokens from..END, as written or with the parentheses
 * of the reading; spaces between tokens but inside parentheses. */
static void render(const struct parser *p, int from, bool parens, char *buf,
		   size_t size)
{
	char tok[256];
	size_t o = 0;
	bool space = false;

	buf[0] = '\0';
	for (int i = from; i < p->n && p->toks[i].kind != T_END; i++) {
		const struct token *t = &p->toks[i];
		bool ok = true;

		filter_escape(tok, sizeof(tok), t->s);
		if (space && t->kind != T_RPAREN) {
			ok = note_put(buf, size, &o, " ");
		}
		for (int k = 0; ok && parens && k < t->open; k++) {
			ok = note_put(buf, size, &o, "(");
		}
		ok = ok && note_put(buf, size, &o, tok);
		for (int k = 0; ok && parens && k < t->close; k++) {
			ok = note_put(buf, size, &o, ")");
		}
		if (!ok) {
			return;
		}
		space = t->kind != T_LPAREN;
	}
}

/* How ss reads it and how the tree does; long expressions are cut. */
static void make_note(struct parser *p, int from)
{
	enum { SIDE = 400 };
	char *as_written = xmalloc(SIDE), *read = xmalloc(SIDE);
	size_t size = 2 * SIDE + 80;

	render(p, from, false, as_written, SIDE);
	render(p, from, true, read, SIDE);
	p->f->note = xmalloc(size);
	snprintf(p->f->note, size,
		 "ss reads '%s' left to right; sockscope reads it as '%s'",
		 as_written, read);
	free(as_written);
	free(read);
}

/* `state X` replaces the default set, `exclude X` starts from all (ss). */
static int parse_states(struct parser *p)
{
	struct filter *f = p->f;

	while (peek(p)->kind == T_WORD) {
		const struct token *t = peek(p);
		bool exclude =
		    !strcmp(t->s, "exclude") || !strcmp(t->s, "excl");
		const struct token *name;
		uint32_t mask;
		char a[64];

		if (!exclude && strcmp(t->s, "state")) {
			break;
		}
		next(p);
		name = next(p);
		filter_escape(a, sizeof(a), name->s);
		if (name->kind != T_WORD) {
			return filter_fail_at(
			    p->err, name,
			    "expected a state name after '%s'%s%s%s", t->s,
			    *a ? ", got '" : "", a, *a ? "'" : "");
		}
		if (state_parse(name->s, &mask)) {
			return filter_fail_at(p->err, name,
					      "unknown state '%s'", a);
		}
		if (!f->has_states) {
			f->states = exclude ? SS_ALL_BITS : 0;
			f->has_states = true;
		}
		f->states = exclude ? f->states & ~mask : f->states | mask;
	}
	f->states = state_mask_normalize(f->states);
	return 0;
}

static int parse_all(struct parser *p)
{
	uint32_t root;
	char a[64];
	int from, ret = parse_states(p);

	if (ret || peek(p)->kind == T_END) {
		return ret;
	}
	from = p->pos;
	ret = parse_or(p, &root);
	if (ret) {
		return ret;
	}
	if (peek(p)->kind == T_RPAREN) {
		return filter_fail_at(p->err, peek(p), "unbalanced ')'");
	}
	if (peek(p)->kind != T_END) {
		filter_escape(a, sizeof(a), peek(p)->s);
		return filter_fail_at(p->err, peek(p), "unexpected '%s'", a);
	}
	p->f->root = (int)root;
	if (p->mixed) {
		make_note(p, from);
	}
	return 0;
}

int filter_parse_text(int argc, char *const argv[], const char *text,
		      size_t len, struct filter **out, struct filter_error *err)
{
	struct parser p = {.err = err};
	int ret = 0;

	p.f = xcalloc(1, sizeof(*p.f));
	p.f->root = -1;
	for (int i = 0; i < argc && !ret; i++) {
		ret = filter_lex(&p, argv[i], strlen(argv[i]), 0);
	}
	if (!ret && text) {
		ret = filter_lex(&p, text, len, 1);
	}
	if (!ret && p.n == 0 && (argc > 0 || text)) {
		ret = filter_fail_at(err, NULL, "empty filter expression");
	}
	if (!ret) {
		/* The end is on the line of the last token. */
		filter_push_token(&p, T_END, "", 0,
				  p.n ? p.toks[p.n - 1].line : 0);
		ret = parse_all(&p);
	}
	filter_free_tokens(&p);
	if (ret) {
		filter_destroy(p.f);
		return ret;
	}
	*out = p.f;
	return 0;
}

int filter_parse(int argc, char *const argv[], struct filter **out,
		 struct filter_error *err)
{
	return filter_parse_text(argc, argv, NULL, 0, out, err);
}

void filter_destroy(struct filter *f)
{
	if (f) {
		free(f->nodes);
		free(f->strs);
		free(f->note);
		free(f);
	}
}

bool filter_states(const struct filter *f, uint32_t *mask)
{
	if (f->has_states) {
		*mask = f->states;
	}
	return f->has_states;
}

bool filter_has_expr(const struct filter *f)
{
	return f->root >= 0;
}

bool filter_needs_owners(const struct filter *f)
{
	return f->needs_owners;
}

bool filter_names_uid(const struct filter *f)
{
	return f && f->names_uid;
}

const char *filter_note(const struct filter *f)
{
	return f->note;
}
