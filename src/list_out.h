/*
 * list_out.h - the socket listing's output, shared by what prints sockets
 * as the list does (cmd_list.c, cmd_kill.c, explain_port.c): the format
 * the options pick, stdout's buffer and the lookup tables the detail
 * options read.
 *
 * list_out_begin() builds what the options need (process map, cgroup
 * paths, service names), sets up stdout and starts the format; rows then
 * go to lo->fmt->row(&lo->fc, rec). list_out_end() ends the format and
 * frees it all; returns 0 or the stdout error (printed; EPIPE counts as
 * success). With lo->discard set, what is still buffered is dropped (a
 * listing that failed before its first row prints nothing).
 */
#ifndef SOCKSCOPE_LIST_OUT_H
#define SOCKSCOPE_LIST_OUT_H

#include <stdbool.h>

#include "format.h"
#include "opts.h"
#include "util.h"

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

void list_out_begin(struct list_out *lo, const struct opts *o);
int list_out_end(struct list_out *lo);

#endif
