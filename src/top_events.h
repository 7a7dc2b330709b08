/*
 * top_events.h - top's closed rows from the kernel's own word: the
 * sock_diag destroy groups (joined as `sockscope watch` joins them,
 * watch_nl.h), read by a thread of ours that stamps each close as it
 * arrives, so neither a refresh nor a key waits for them and a socket
 * born and closed between two refreshes is seen, at its time.
 *
 * Call order: top_events_open() once (live runs; --load has no events),
 * then top_events_drain() before every refresh: the closes received since
 * go to the gones (top_gones_add_close), each tested against the filter
 * in force, and top_gones_update() settles them. top_events_close() ends
 * the thread. Without the groups (an old kernel, or one refusing the user) top
 * keeps the refresh differences (struct top_gones, events false).
 */
#ifndef SOCKSCOPE_TOP_EVENTS_H
#define SOCKSCOPE_TOP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "opts.h"
#include "top.h"

struct filter;
struct top_events;

/* Closes queued between two drains at most; beyond, counted as lost. */
#define TOP_EVENTS_QUEUE_MAX 65536

/*
 * Join the groups of o's protocols and families and start reading.
 * Returns 0 and *out, or -errno with the reason in why (nothing to
 * close then).
 */
int top_events_open(struct top_events **out, const struct opts *o, char *why,
		    size_t size);
/* Stop the thread, close the socket; NULL is fine. */
void top_events_close(struct top_events *ev);

/* The closes received since the last call into ui->gones, and the close
 * events lost (those the kernel counted dropped after an ENOBUFS, those a
 * full queue turned away) into ui->gones.lost. */
void top_events_drain(struct top_events *ev, struct top_ui *ui);

/*
 * Whether a close the refreshes never saw belongs in the view: o's
 * protocols and families, the filter's states (every state when it names
 * none; with -l, only sockets without a peer) and its expression, over
 * the event's record (no owner: pid and comm see none).
 */
bool top_close_passes(const struct sock_rec *rec, const struct opts *o,
		      const struct filter *f);

#endif
