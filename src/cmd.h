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

/*
 * Shared by the commands that print sockets (cmd_list.c, cmd_kill.c).
 *
 * list_enter_netns(): with -N, switch namespace; call it before opening
 * any netlink socket. Returns 0 or -errno, the reason already printed.
 *
 * list_out_begin() builds what the options need (process map, cgroup
 * paths, service names), sets up stdout and starts the format; rows then
 * go to lo->fmt->row(&lo->fc, rec). list_out_end() ends the format and
 * frees it all; returns 0 or the stdout error (printed; EPIPE counts as
 * success). With lo->discard set, what is still buffered is dropped (a
 * listing that failed before its first row prints nothing).
 */
struct cgroups;
struct proc_map;

struct list_out {
	const struct fmt_ops *fmt;
	struct fmt_ctx fc;
	struct obuf out;
	struct proc_map *procs;
	struct cgroups *cg;
	bool discard; /* set before list_out_end(): print nothing buffered */
};

int list_enter_netns(const struct opts *o);
/*
 * list_enter_netns(), and *e says which namespace it entered (identity
 * and label; e->path NULL; all zero without -N). -N also takes what
 * --all-netns labels: a container id prefix, a pod uid, a unit name.
 */
struct netns_entry;
int list_enter_netns_entry(const struct opts *o, struct netns_entry *e);
void list_out_begin(struct list_out *lo, const struct opts *o);
int list_out_end(struct list_out *lo);

#endif
