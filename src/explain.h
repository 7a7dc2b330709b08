/*
 * explain.h - the pieces `sockscope explain` and `sockscope diagram`
 * share: reading a sysctl's text and the kernel version under --root,
 * wrapped text for the terminal, facts as JSON.
 *
 * Nothing here keeps state between calls; buffers are the caller's.
 */
#ifndef SOCKSCOPE_EXPLAIN_H
#define SOCKSCOPE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"
#include "jw.h"
#include "opts.h"
#include "sysctl.h"
#include "util.h"

/*
 * The kernel sockscope runs on, from proc/sys/kernel/osrelease under
 * root. Returns 0, or -errno (the file) or -EBADMSG (its text).
 */
int explain_kernel(const char *root, struct kver *k, char *release, size_t len);

/*
 * The current text of a sysctl (proc/sys/... under root, read through
 * sysctl.c), whitespace runs folded to one space. Returns 0 or -errno
 * (-ENOENT: not on this kernel or not visible in this namespace).
 */
int explain_sysctl_value(const char *root, const char *name, char *buf,
			 size_t len);

/*
 * "label" padded to a column, then text wrapped at 79 columns with a
 * hanging indent; source, when not NULL, follows in brackets. Text from
 * files (sysctl values) must not come here: it is not escaped.
 */
void explain_put(struct obuf *ob, const char *label, const char *text,
		 const char *source);

/* {"text": ..., "source": ...} under key. */
void explain_json_fact(struct jw *w, const char *key, const struct fact *f);

/* Start stdout for a report; the caller ends it with obuf_finish_stdout(). */
void explain_out_begin(struct obuf *ob, struct jw *w);

#endif
