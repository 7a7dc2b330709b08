/*
 * filter_lex.h - the filter's tokens, shared by the lexer (filter_lex.c)
 * and the parser (filter.c), and nothing else: other modules use filter.h.
 *
 * The lexer appends to a struct parser's token array (toks, n, cap) and
 * records its errors in p->err; the rest of the struct is the parser's.
 * Tokens own their text (t->s): filter_free_tokens() frees them and the array.
 */
#ifndef SOCKSCOPE_FILTER_LEX_H
#define SOCKSCOPE_FILTER_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"

enum tok_kind {
	T_WORD,
	T_LPAREN,
	T_RPAREN,
	T_AND,
	T_OR,
	T_NOT,
	T_EQ,
	T_NE,
	T_LT,
	T_GT,
	T_LE,
	T_GE,
	T_END,
};

struct token {
	uint8_t kind;
	int word; /* 1-based index among all tokens */
	int line; /* -F text line, 0 on the command line */
	char *s;  /* NUL-terminated copy of the token's text */
	/* The note's reading: parentheses to show before and after. */
	uint8_t open, close;
};

struct parser {
	struct token *toks;
	int n, cap, pos;
	int depth;
	bool mixed; /* an `or` has an unparenthesized `and` on its right */
	struct filter *f;
	struct filter_error *err;
};

/* The error at token t (NULL: none) into err, formatted; returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int
filter_fail_at(struct filter_error *err, const struct token *t, const char *fmt,
	       ...);
/* A token of kind from s[0..len) on line; a word spelling an operator
 * ("and", "ne") takes the operator's kind. */
void filter_push_token(struct parser *p, uint8_t kind, const char *s,
		       size_t len, int line);
/*
 * Tokens of s[0..len) appended to p. line > 0: -F text, where '#' comments
 * out the rest of the line and newlines count lines. Returns 0, or
 * -EINVAL (p->err says where) on a control byte.
 */
int filter_lex(struct parser *p, const char *s, size_t len, int line);
void filter_free_tokens(struct parser *p);

#endif
