/*
 * diagram.h - the RFC 9293 state machine as text, a count in every state,
 * and the movement between two samples of the same sockets.
 *
 * Pure: counts in, text out; no I/O. Sockets are matched across samples
 * by their kernel cookie (a TIME_WAIT socket keeps the cookie of the
 * socket it replaced).
 */
#ifndef SOCKSCOPE_DIAGRAM_H
#define SOCKSCOPE_DIAGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "keytab.h"
#include "sock.h"
#include "util.h"

/* Folded kernel codes (state_fold(): NEW_SYN_RECV counts as SYN_RECV,
 * BOUND_INACTIVE as CLOSE). Index 0 of moves[][] is "not there": new (from 0),
 * gone (to 0). */
struct diagram_sample {
	uint64_t count[SS_MAX];
	struct keytab seen; /* cookie -> folded state */
	bool overflow;	    /* more sockets than the table may hold */
};

struct diagram_moves {
	uint64_t n[SS_MAX][SS_MAX];
};

void diagram_sample_init(struct diagram_sample *s);
void diagram_sample_finish(struct diagram_sample *s);
/* Count one socket; with track, remember its cookie for diagram_move. */
void diagram_sample_add(struct diagram_sample *s, const struct sock_rec *rec,
			bool track);

/*
 * A socket of the second sample: where it was in the first (or new);
 * marks it seen. After the last, diagram_moves_gone() counts those of the
 * first that were not seen again.
 */
void diagram_move(struct diagram_sample *before, struct diagram_moves *m,
		  const struct sock_rec *rec);
void diagram_moves_gone(const struct diagram_sample *before,
			struct diagram_moves *m);

/*
 * The diagram with count[] in the boxes and, when before is not NULL,
 * the change since it ("12 +3"). Every line fits 79 columns.
 */
void diagram_render(struct obuf *ob, const uint64_t count[SS_MAX],
		    const uint64_t *before);

/* The same, line by line (for top's pane): line i < diagram_lines(),
 * without its newline. */
size_t diagram_lines(void);
void diagram_render_line(struct obuf *ob, size_t i,
			 const uint64_t count[SS_MAX], const uint64_t *before);

/* Folded counts from per-code ones (top keeps uint32_t per code). */
void diagram_fold_counts(uint64_t out[SS_MAX], const uint32_t in[SS_MAX]);

#endif
