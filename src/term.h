/*
 * term.h - the terminal for `sockscope top`: the only module that talks to
 * curses, which lives in the shared module sockscope-curses.so (module.h)
 * that term_init() loads. Everything else hands it finished lines of text
 * tagged with a semantic role, and gets keys back as plain ints (enum
 * term_key for the special ones, the character itself otherwise).
 *
 * Call order: term_init() once; then frames: term_clear(), term_put() per
 * line, term_show(); term_getkey() between frames; term_finish() once.
 * The terminal is restored by term_finish(), and also at exit (a fatal
 * error exiting through xmalloc) because term_init() registers it.
 * SIGINT and SIGTERM only set a flag (term_stop_requested()) that
 * term_getkey() reports as TK_STOP, so the caller unwinds normally.
 */
#ifndef SOCKSCOPE_TERM_H
#define SOCKSCOPE_TERM_H

#include <stdbool.h>

/* What a piece of text means; the colour scheme maps it to attributes. */
enum term_role {
	TR_NORMAL,
	TR_HEADER,   /* header meters */
	TR_TITLE,    /* the table's column titles */
	TR_SELECTED, /* the selection bar */
	TR_GOOD,     /* LISTEN, healthy */
	TR_WARN,     /* CLOSE_WAIT, warnings */
	TR_BAD,	     /* errors, critical advice */
	TR_DIM,	     /* TIME_WAIT and other leftovers */
	TR_FKEY,     /* function-bar key labels */
	TR_PROMPT,   /* the filter prompt and the y/n question */
	TR_TAGGED,   /* rows tagged with Space or c */
	TR_COUNT,
};

enum term_key {
	TK_NONE = -1, /* timeout */
	TK_BASE = 0x10000,
	TK_UP,
	TK_DOWN,
	TK_LEFT,
	TK_RIGHT,
	TK_PGUP,
	TK_PGDN,
	TK_HOME,
	TK_END,
	TK_ENTER,
	TK_BACKSPACE,
	TK_ESC,
	TK_RESIZE,
	TK_STOP, /* SIGINT or SIGTERM arrived */
	TK_F1,
	TK_F2,
	TK_F3,
	TK_F4,
	TK_F5,
	TK_F6,
	TK_F7,
	TK_F8,
	TK_F9,
	TK_F10,
};

#define TK_CTRL(c) ((c)&0x1f)

/*
 * Start curses on the terminal; colours unless color is false or the
 * terminal has none (then the monochrome scheme). Returns 0, -ENOTTY (a
 * terminal curses cannot drive), or -ELIBACC when sockscope-curses.so
 * cannot load (then said on stderr, one line).
 */
int term_init(bool color);
/* Restore the terminal. Safe to call twice or without term_init(). */
void term_finish(void);

/* True once SIGINT or SIGTERM arrived. */
bool term_stop_requested(void);

void term_size(int *rows, int *cols);
void term_clear(void);
/* Line y, clipped to the width; a role spans the whole line. */
void term_put(int y, enum term_role role, const char *text);
/* Text at (y, x) in role, clipped; for cells that differ from the line. */
void term_put_at(int y, int x, enum term_role role, const char *text);
/* Put the visible cursor at (y, x), or hide it with y < 0. */
void term_cursor(int y, int x);
void term_show(void);
/* Force a full repaint on the next term_show() (Ctrl-L). */
void term_invalidate(void);

/* Wait up to timeout_ms (< 0: forever) for a key. */
int term_getkey(int timeout_ms);

#endif
