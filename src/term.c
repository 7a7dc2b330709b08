// SPDX-License-Identifier: MIT
/*
 * term.h's calls, forwarded to sockscope-curses.so (term_curses.c), which
 * term_init() loads: a sockscope that never starts top never maps ncurses.
 */
#include "term.h"

#include <errno.h>

#include "term_mod.h"
#include "util.h"

/*
 * The loaded table: process-wide, as curses' own screen is. Written once,
 * by term_init(), before top starts its refresh thread; never cleared (the
 * module stays loaded: its exit handler restores the terminal).
 */
static const struct term_mod *mod;

int term_init(bool color)
{
	char err[MODULE_ERRLEN];

	if (!mod) {
		mod = module_load(TERM_MOD_FILE, TERM_MOD_SYMBOL, sizeof(*mod),
				  err);
	}
	if (!mod) {
		warnx_("top: %s", err);
		return -ELIBACC;
	}
	return mod->init(color);
}

void term_finish(void)
{
	if (mod) {
		mod->finish();
	}
}

bool term_stop_requested(void)
{
	return mod && mod->stop_requested();
}

void term_size(int *rows, int *cols)
{
	mod->size(rows, cols);
}

void term_clear(void)
{
	mod->clear();
}

void term_put(int y, enum term_role role, const char *text)
{
	mod->put(y, role, text);
}

void term_put_at(int y, int x, enum term_role role, const char *text)
{
	mod->put_at(y, x, role, text);
}

void term_cursor(int y, int x)
{
	mod->cursor(y, x);
}

void term_show(void)
{
	mod->show();
}

void term_invalidate(void)
{
	mod->invalidate();
}

int term_getkey(int timeout_ms)
{
	return mod->getkey(timeout_ms);
}
