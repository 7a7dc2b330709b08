/*
 * term_mod.h - the table of sockscope-curses.so, the module that holds all
 * of the terminal's curses code (term_curses.c). term.c loads it in
 * term_init() and forwards each term_*() call (term.h has the contract).
 */
#ifndef SOCKSCOPE_TERM_MOD_H
#define SOCKSCOPE_TERM_MOD_H

#include "module.h"
#include "term.h"

#define TERM_MOD_FILE	"sockscope-curses.so"
#define TERM_MOD_SYMBOL "sockscope_term_mod"

struct term_mod {
	struct module_head head;
	int (*init)(bool color);
	void (*finish)(void);
	bool (*stop_requested)(void);
	void (*size)(int *rows, int *cols);
	void (*clear)(void);
	void (*put)(int y, enum term_role role, const char *text);
	void (*put_at)(int y, int x, enum term_role role, const char *text);
	void (*cursor)(int y, int x);
	void (*show)(void);
	void (*invalidate)(void);
	int (*getkey)(int timeout_ms);
};

extern const struct term_mod sockscope_term_mod;

#endif
