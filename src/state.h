/*
 * state.h - TCP state codes: documented names, ss names, groups, masks.
 *
 * Masks have one bit per kernel state code (SS_BIT(code)), the layout the
 * kernel expects in inet_diag_req_v2.idiag_states. Pure; no allocation.
 */
#ifndef SOCKSCOPE_STATE_H
#define SOCKSCOPE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sock.h"

struct kver;

/*
 * What ss lists by default: every state but LISTEN, CLOSE, TIME_WAIT and
 * SYN_RECV. Not the same as the group "connected" (all but LISTEN, CLOSE).
 */
#define STATE_DEFAULT_TCP                                                      \
	(SS_ALL_BITS & ~(SS_BIT(SS_LISTEN) | SS_BIT(SS_CLOSE) |                \
			 SS_BIT(SS_TIME_WAIT) | SS_BIT(SS_SYN_RECV) |          \
			 SS_BIT(SS_NEW_SYN_RECV) | SS_BIT(SS_BOUND_INACTIVE)))

/*
 * The documented name of a state as printed in every output format:
 * ESTABLISHED ... CLOSING; NEW_SYN_RECV prints as SYN_RECV; CLOSE prints as
 * UNCONN for protocols other than TCP. Never NULL ("UNKNOWN").
 */
const char *state_name(unsigned int code, uint8_t protocol);

/*
 * The state a socket in kernel state code is counted, drawn and named
 * under, the one place the fold is written: NEW_SYN_RECV (a request
 * socket on a listener since Linux 4.4) is SYN_RECV to a reader and
 * BOUND_INACTIVE (a request bit, never a lasting state) is CLOSE; a code
 * past SS_MAX, one a newer kernel may add, is 0 (no state).
 */
unsigned int state_fold(unsigned int code);

/* Lower-case form for Prometheus labels ("time_wait"). Never NULL. */
const char *state_label(unsigned int code, uint8_t protocol);

/*
 * Parse a state or group name (ss spelling, documented spelling, or with
 * '_' for '-'; case-insensitive) into a mask. Returns 0, or -EINVAL if the
 * word names no state.
 */
int state_parse(const char *word, uint32_t *mask);

/* Canonicalise a mask: SYN_RECV implies the kernel's NEW_SYN_RECV. */
uint32_t state_mask_normalize(uint32_t mask);

/*
 * The states a record of this protocol may show for a request mask. The
 * kernel (>= 6.8) dumps bound-but-inactive TCP sockets only for the
 * request bit SS_BOUND_INACTIVE and reports them as CLOSE, and a TCP
 * socket has no other lasting CLOSE state: a TCP CLOSE row matches iff the
 * mask asks for bound-inactive sockets ("state close" does, "-l" does not).
 * Other protocols keep CLOSE (UNCONN) as asked. Cheap: per row.
 */
static inline uint32_t state_match_mask(uint32_t mask, uint8_t protocol)
{
	if (protocol != 6 /* IPPROTO_TCP */) {
		return mask & ~SS_BIT(SS_BOUND_INACTIVE);
	}
	mask &= ~SS_BIT(SS_CLOSE);
	if (mask & SS_BIT(SS_BOUND_INACTIVE)) {
		mask |= SS_BIT(SS_CLOSE);
	}
	return mask;
}

/*
 * Whether to tell the user that kernel k lists no bound-inactive sockets
 * though the state selection mask names them: true on kernels before 6.8
 * when the selection is a narrow one (without ESTABLISHED, as "state
 * close" or "state bound-inactive"; "state all" and "-a" stay quiet).
 */
bool state_bound_inactive_unsupported(uint32_t mask, const struct kver *k);

#endif
