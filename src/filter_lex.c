// SPDX-License-Identifier: MIT
/*
 * The filter language's lexer (filter_lex.h): command-line words and -F
 * text into numbered tokens, each knowing its word and line for the
 * parser's errors. The grammar is filter.c's.
 */
#include "filter_lex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Word spellings of the operators; symbols are read by lex_symbol(). */
static const struct {
	const char *word;
	uint8_t kind;
} op_words[] = {
    {"and", T_AND}, {"or", T_OR},  {"not", T_NOT}, {"eq", T_EQ},
    {"ne", T_NE},   {"neq", T_NE}, {"lt", T_LT},   {"gt", T_GT},
    {"le", T_LE},   {"leq", T_LE}, {"ge", T_GE},   {"geq", T_GE},
};

__attribute__((format(printf, 3, 4))) int
filter_fail_at(struct filter_error *err, const struct token *t, const char *fmt,
	       ...)
{
	va_list ap;

	err->word = t ? t->word : 0;
	err->line = t ? t->line : 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void filter_push_token(struct parser *p, uint8_t kind, const char *s,
		       size_t len, int line)
{
	struct token *t;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->toks = xrealloc(p->toks, (size_t)p->cap * sizeof(*p->toks));
	}
	t = &p->toks[p->n++];
	*t = (struct token){.kind = kind, .word = p->n, .line = line};
	t->s = xmalloc(len + 1);
	memcpy(t->s, s, len);
	t->s[len] = '\0';
	if (kind == T_WORD) {
		for (size_t i = 0; i < ARRAY_SIZE(op_words); i++) {
			if (!strcasecmp(t->s, op_words[i].word)) {
				t->kind = op_words[i].kind;
			}
		}
	}
}

/* Length of the operator at s (0 if none), its kind in *kind. */
static size_t lex_symbol(const char *s, size_t left, uint8_t *kind)
{
	static const struct {
		const char *sym;
		uint8_t kind;
	} syms[] = {
	    {"&&", T_AND},   {"||", T_OR},    {"==", T_EQ}, {"!=", T_NE},
	    {"<=", T_LE},    {">=", T_GE},    {"&", T_AND}, {"|", T_OR},
	    {"=", T_EQ},     {"!", T_NOT},    {"<", T_LT},  {">", T_GT},
	    {"(", T_LPAREN}, {")", T_RPAREN},
	};

	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		size_t n = strlen(syms[i].sym);

		if (n <= left && !memcmp(s, syms[i].sym, n)) {
			*kind = syms[i].kind;
			return n;
		}
	}
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static bool ends_word(const char *s, size_t left, int line)
{
	uint8_t kind;

	return is_space(*s) || lex_symbol(s, left, &kind) ||
	       (line && *s == '#');
}

/*
 * Tokens of s[0..len). line > 0: -F text, where '#' comments out the rest
 * of the line and newlines count lines.
 */
int filter_lex(struct parser *p, const char *s, size_t len, int line)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint8_t kind;
		size_t n, start;

		if (is_space((char)c)) {
			line += line && c == '\n';
			i++;
		} else if (c == '#' && line) {
			while (i < len && s[i] != '\n') {
				i++;
			}
		} else if ((n = lex_symbol(s + i, len - i, &kind))) {
			filter_push_token(p, kind, s + i, n, line);
			i += n;
		} else if (c < 0x20 || c == 0x7f) {
			struct token at = {.word = p->n + 1, .line = line};

			return filter_fail_at(p->err, &at,
					      "invalid byte 0x%02x", c);
		} else {
			start = i;
			while (i < len && (unsigned char)s[i] >= 0x20 &&
			       s[i] != 0x7f &&
			       !ends_word(s + i, len - i, line)) {
				i++;
			}
			filter_push_token(p, T_WORD, s + start, i - start,
					  line);
		}
	}
	return 0;
}

void filter_free_tokens(struct parser *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->toks[i].s);
	}
	free(p->toks);
}
