// SPDX-License-Identifier: MIT
/*
 * The terminal's curses side (term.h has the contract), built as the
 * module sockscope-curses.so: only top links ncurses.
 */
#include "term_mod.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h> /* curses' setupterm(): src/meson.build keeps ours apart */
#include <unistd.h>

/* The one global: set by the signal handler, read by term_getkey(). */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct scheme_entry {
	short fg;
	short bg;
	attr_t attr;	  /* with colours */
	attr_t mono_attr; /* without */
};

/* Semantic roles to looks: htop's default scheme, roughly. */
static const struct scheme_entry scheme[TR_COUNT] = {
    [TR_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
    [TR_HEADER] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [TR_TITLE] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE},
    [TR_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TR_GOOD] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [TR_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [TR_BAD] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [TR_DIM] = {COLOR_BLUE, -1, A_BOLD, A_DIM},
    [TR_FKEY] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TR_PROMPT] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE},
    [TR_TAGGED] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE},
};

/* Not state of ours: whether curses is up is curses' own stdscr. */
static bool active(void)
{
	return stdscr != NULL && !isendwin();
}

static attr_t role_attr(enum term_role role)
{
	if ((unsigned int)role >= TR_COUNT) {
		role = TR_NORMAL;
	}
	/* COLOR_PAIRS stays 0 unless setup_colors() started colours. */
	if (role != TR_NORMAL && COLOR_PAIRS > TR_COUNT) {
		return COLOR_PAIR(role + 1) | scheme[role].attr;
	}
	return scheme[role].mono_attr;
}

static void setup_colors(bool color)
{
	if (!color || !has_colors() || start_color() != OK) {
		return;
	}
	use_default_colors();
	for (int r = 1; r < TR_COUNT; r++) {
		init_pair((short)(r + 1), scheme[r].fg, scheme[r].bg);
	}
}

static void t_finish(void);

static void exit_restore(void)
{
	t_finish();
}

/*
 * Whether $TERM names a type terminfo knows and that has cursor
 * addressing: a terminal without it (dumb, or an entry that lacks it) would
 * give a blank screen. Asked of setupterm() before newterm(), because
 * newterm() on an unknown type leaks its prescreen (ncurses 6.4) and
 * initscr() exits.
 */
static bool term_usable(void)
{
	const char *cup;
	int err = 0;
	bool ok;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		return false;
	}
	cup = tigetstr((char *)"cup");
	ok = cup && cup != (const char *)-1;
	del_curterm(cur_term);
	return ok;
}

static int t_init(bool color)
{
	struct sigaction sa = {.sa_handler = on_stop};

	setlocale(LC_ALL, "");
	if (!term_usable() || !newterm(NULL, stdout, stdin)) {
		return -ENOTTY;
	}
	atexit(exit_restore);
	/* No SA_RESTART: getch() must return so the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* Esc alone must not wait a second for a sequence that never comes. */
	set_escdelay(25);
	setup_colors(color);
	return 0;
}

static void t_finish(void)
{
	if (active()) {
		curs_set(1);
		endwin();
	}
}

static bool t_stop_requested(void)
{
	return stop_signal != 0;
}

static void t_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

static void t_clear(void)
{
	erase();
}

static void t_put(int y, enum term_role role, const char *text)
{
	attr_t a = role_attr(role);
	int cols = COLS;

	attrset(a);
	mvaddnstr(y, 0, text, cols);
	/* The role's background spans the whole line. */
	for (int x = getcurx(stdscr); y == getcury(stdscr) && x < cols; x++) {
		if (mvaddch(y, x, ' ') == ERR) {
			break;
		}
	}
	attrset(A_NORMAL);
}

static void t_put_at(int y, int x, enum term_role role, const char *text)
{
	if (x >= COLS) {
		return;
	}
	attrset(role_attr(role));
	mvaddnstr(y, x, text, COLS - x);
	attrset(A_NORMAL);
}

static void t_cursor(int y, int x)
{
	if (y < 0) {
		curs_set(0);
		return;
	}
	move(y, x);
	curs_set(1);
}

static void t_show(void)
{
	refresh();
}

static void t_invalidate(void)
{
	clearok(curscr, TRUE);
}

static const struct {
	int curses;
	int key;
} keymap[] = {
    {KEY_UP, TK_UP},	   {KEY_DOWN, TK_DOWN},
    {KEY_LEFT, TK_LEFT},   {KEY_RIGHT, TK_RIGHT},
    {KEY_PPAGE, TK_PGUP},  {KEY_NPAGE, TK_PGDN},
    {KEY_HOME, TK_HOME},   {KEY_END, TK_END},
    {KEY_ENTER, TK_ENTER}, {'\r', TK_ENTER},
    {'\n', TK_ENTER},	   {KEY_BACKSPACE, TK_BACKSPACE},
    {127, TK_BACKSPACE},   {8, TK_BACKSPACE},
    {27, TK_ESC},	   {KEY_RESIZE, TK_RESIZE},
    {KEY_F(1), TK_F1},	   {KEY_F(2), TK_F2},
    {KEY_F(3), TK_F3},	   {KEY_F(4), TK_F4},
    {KEY_F(5), TK_F5},	   {KEY_F(6), TK_F6},
    {KEY_F(7), TK_F7},	   {KEY_F(8), TK_F8},
    {KEY_F(9), TK_F9},	   {KEY_F(10), TK_F10},
};

static int t_getkey(int timeout_ms)
{
	int c;

	if (stop_signal) {
		return TK_STOP;
	}
	timeout(timeout_ms);
	c = getch();
	if (stop_signal) {
		return TK_STOP;
	}
	if (c == ERR) {
		return TK_NONE;
	}
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++) {
		if (keymap[i].curses == c) {
			return keymap[i].key;
		}
	}
	return c >= KEY_MIN ? TK_NONE : c;
}

MODULE_EXPORT const struct term_mod sockscope_term_mod = {
    .head = MODULE_HEAD(struct term_mod),
    .init = t_init,
    .finish = t_finish,
    .stop_requested = t_stop_requested,
    .size = t_size,
    .clear = t_clear,
    .put = t_put,
    .put_at = t_put_at,
    .cursor = t_cursor,
    .show = t_show,
    .invalidate = t_invalidate,
    .getkey = t_getkey,
};
