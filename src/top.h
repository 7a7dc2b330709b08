/*
 * top.h - the state of `sockscope top` and what the keys do to it. No
 * curses here: keys arrive as ints (term.h's enum term_key or the
 * character), the screen is drawn by top_view.c from this state, and the
 * data comes from top_collect.c.
 *
 * Data the core tool does not own comes through struct top_sources: each
 * member may be NULL, and what it would feed (counter rates, limits, the
 * advice pane, process names, closing a socket) is then not shown at all.
 *
 * Threads: struct top_ui is the UI thread's. refresh, settle, process,
 * owners and counters are called by top_collect(), which may run on a
 * worker thread (top_refresh.h) while the UI thread calls limits, advice,
 * kill and rtt: a source must keep the two sets apart (top_live.h).
 *
 * Implemented in top.c (the state, refreshes, tags, the filter) and
 * top_keys.c (top_key(): what each key does).
 */
#ifndef SOCKSCOPE_TOP_H
#define SOCKSCOPE_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"
#include "top_model.h"

struct filter;
struct proc_map;

enum top_severity {
	TOP_SEV_INFO,
	TOP_SEV_WARN,
	TOP_SEV_CRIT,
};

struct top_advice {
	enum top_severity severity;
	char text[160]; /* one line, printable */
};

/* Limits the header draws state bars against; 0 when unknown. */
struct top_limits {
	uint64_t max_tw_buckets; /* net.ipv4.tcp_max_tw_buckets */
	uint64_t max_orphans;	 /* net.ipv4.tcp_max_orphans */
	uint16_t eph_lo, eph_hi; /* net.ipv4.ip_local_port_range */
	uint32_t usable_ports;	 /* that range less the reserved ports */
};

#define TOP_ADVICE_MAX 8

struct top_sources {
	void *ctx;
	/* Once per refresh, before any row: rescan what the others read. */
	int (*refresh)(void *ctx);
	/* After the rows: true when process names changed since refresh
	 * (sockets it lacked were looked for), so rows without one are
	 * looked up again. */
	bool (*settle)(void *ctx);
	int (*counters)(void *ctx, struct top_counters *out);
	int (*limits)(void *ctx, struct top_limits *out);
	/* Fill up to max entries from the snapshot; returns how many. */
	size_t (*advice)(void *ctx, const struct top_snap *snap,
			 struct top_advice *out, size_t max);
	/* Name and pid of the (first) process owning socket inode into
	 * name and *pid; false: none. */
	bool (*process)(void *ctx, uint32_t inode, char name[16],
			uint32_t *pid);
	/* The socket owners a filter's pid and comm read, current for this
	 * refresh (built now unless refresh just did); NULL: none known. */
	const struct proc_map *(*owners)(void *ctx);
	/* Close the socket t names (SOCK_DESTROY); 0 or -errno: -ENOENT or
	 * -ESTALE when that socket (tuple and cookie) is gone. */
	int (*kill)(void *ctx, const struct top_target *t);
	/* The RTT (tcpi_rtt, microseconds) of t's socket now into *rtt_us;
	 * false: none (gone, no tcp_info). For rows on screen. */
	bool (*rtt)(void *ctx, const struct top_target *t, uint32_t *rtt_us);
};

enum top_mode {
	TOP_MODE_TABLE,
	TOP_MODE_HELP,
	TOP_MODE_PROMPT,  /* typing a filter */
	TOP_MODE_CONFIRM, /* y/n before closing the tagged/selected sockets */
	TOP_MODE_SEARCH, /* typing a search (backslash): jumps, never filters */
	TOP_MODE_DIAGRAM, /* the TCP state machine with live counts (D) */
};

/* What a key asks the loop to do next (bits). */
enum top_action {
	TOP_HANDLED = 1 << 0,
	TOP_REDRAW = 1 << 1,  /* draw again from the same items */
	TOP_REBUILD = 1 << 2, /* regroup/resort the snapshot, then draw */
	TOP_COLLECT = 1 << 3, /* take a new snapshot now (filter changed) */
	TOP_QUIT = 1 << 4,
	TOP_REPAINT = 1 << 5, /* Ctrl-L: repaint every cell */
};

#define TOP_TEXT_MAX 256
/* How long a socket that closed stays on screen, dimmed (seconds). */
#define TOP_GONE_KEEP 5.0

struct top_ui {
	const struct opts *o;
	const struct top_sources *src;
	struct top_snap snap[2]; /* current and previous, swapped */
	unsigned int cur;
	struct top_rates rates;
	struct top_limits limits;
	struct top_items items;
	struct top_order ord;
	struct filter *filter; /* the prompt's filter; NULL: o->filter */
	/* The filter the last change replaced: a refresh in flight
	 * (top_refresh.h) may still read it, so the loop takes it (and frees
	 * it once no refresh does); else freed by the next change. */
	struct filter *retired;
	char filter_text[TOP_TEXT_MAX];
	enum top_mode mode;
	char input[TOP_TEXT_MAX]; /* prompt being typed */
	char message[200];	  /* status line; prompt error in PROMPT */
	bool message_is_error;
	bool paused;
	bool show_advice;
	struct top_advice advice[TOP_ADVICE_MAX];
	size_t n_advice;
	size_t sel;	 /* selected item */
	size_t first;	 /* first item shown */
	uint64_t sel_id; /* the selection follows this id across refreshes */
	/* CONFIRM: the sockets the question names, copied when it was asked:
	 * refreshes move rows, never what y closes. */
	struct top_target *confirm;
	size_t n_confirm, cap_confirm;
	/* Tagged sockets (Space, c; U clears), by cookie, sorted. */
	uint64_t *tags;
	size_t n_tags, cap_tags;
	char search[TOP_TEXT_MAX]; /* the last search (backslash) */
	unsigned int delay_ms;	   /* refresh interval, + - d change it */
	bool sort_changed;	   /* the next rebuild shows the top */
	struct top_gones gones;	   /* sockets that left the view lately */
	bool gones_reset; /* the filter changed: none left by closing */
	size_t page;	  /* item rows on screen, set by the view */
	uint64_t refreshes;
	/* Twice the last refresh's time when that exceeded delay_ms (a
	 * refresh never takes more than half of top's time), else 0. */
	unsigned int stretch_ms;
	bool refreshing; /* a refresh is in flight (the loop's): the header
			  * says so */
};

void top_ui_init(struct top_ui *ui, const struct opts *o,
		 const struct top_sources *src);
void top_ui_finish(struct top_ui *ui);

/*
 * Heap bytes the model holds for the view: both snapshots' rows and
 * tuples, the items, the closed rows, tags and the confirm copy (not the
 * collector's receive buffers, nor the process map). Its own accounting,
 * so a test can bound bytes per socket without reading RSS.
 */
size_t top_ui_bytes(const struct top_ui *ui);

static inline struct top_snap *top_ui_snap(struct top_ui *ui)
{
	return &ui->snap[ui->cur];
}

/* The filter in force: the prompt's, else the command line's. */
const struct filter *top_ui_filter(const struct top_ui *ui);

/* After a new snapshot: rates, advice, items, selection. */
void top_ui_refreshed(struct top_ui *ui);
/*
 * A snapshot filled elsewhere (top_refresh.h) becomes the current one, and
 * top_ui_refreshed() runs: fresh and the previous snapshot trade places
 * (moved by value), so fresh holds the one before, released, for the next
 * refresh to fill. UI thread.
 */
void top_ui_take(struct top_ui *ui, struct top_snap *fresh);
/* Regroup/resort the current snapshot, keeping the selection. */
void top_ui_rebuild(struct top_ui *ui);

/* Ask the rtt source for the RTT of the socket rows on screen (items
 * first .. first + page) not asked yet in this snapshot; true when one
 * was filled, so the screen needs drawing again. */
bool top_ui_fill_rtt(struct top_ui *ui);

/* Apply the filter text (words split on blanks). Returns 0, or -EINVAL
 * with the error in ui->message and the old filter kept. The prompt's
 * filter it replaces goes to ui->retired. */
int top_ui_set_filter(struct top_ui *ui, const char *text);

/* One key; returns enum top_action bits (0: not a key we use). */
unsigned int top_key(struct top_ui *ui, int key);

/* Whether the socket with this cookie is tagged. */
bool top_ui_tagged(const struct top_ui *ui, uint64_t cookie);

/* The interval in force, milliseconds: delay_ms, or longer while
 * refreshes take longer than it (ui->stretch_ms), as htop under load. */
unsigned int top_ui_interval_ms(const struct top_ui *ui);

/* Bounds of the live refresh interval (+ - d), milliseconds. */
#define TOP_DELAY_MIN_MS 100u
#define TOP_DELAY_MAX_MS 60000u

/* Whether the features behind the sources are on. */
bool top_ui_can_kill(const struct top_ui *ui);
bool top_ui_has_process(const struct top_ui *ui);
/* What columns may need that this top has (field.h enum field_need). */
unsigned int top_ui_have(const struct top_ui *ui);

#endif
