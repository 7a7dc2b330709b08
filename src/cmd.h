/*
 * cmd.h - the command table: one struct cmd_entry per command, each in its
 * own cmd_*.c file (the tmux pattern). exec returns an exit status.
 */
#ifndef SOCKSCOPE_CMD_H
#define SOCKSCOPE_CMD_H

#include "diag.h"
#include "format.h"
#include "opts.h"

struct cmd_entry {
	const char *name;
	const char *usage;
	int (*exec)(const struct opts *o);
	bool topic_words; /* the words after it name a topic, not a FILTER */
};

extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_kill_entry;
extern const struct cmd_entry cmd_summary_entry;
extern const struct cmd_entry cmd_advise_entry;
extern const struct cmd_entry cmd_explain_entry;
extern const struct cmd_entry cmd_diagram_entry;
extern const struct cmd_entry cmd_watch_entry;

/*
 * Flush and free a command's stdout buffer: EXIT_OK, EXIT_OK when the
 * reader went away (| head), or EXIT_RUNTIME after saying why.
 */
struct obuf;
int cmd_finish_output(struct obuf *ob);

/* The command called name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

#endif
