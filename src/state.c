// SPDX-License-Identifier: MIT
#include "state.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "sock.h"
#include "sysctl.h"

static const char *const doc_names[SS_MAX] = {
    [SS_ESTABLISHED] = "ESTABLISHED",
    [SS_SYN_SENT] = "SYN_SENT",
    [SS_SYN_RECV] = "SYN_RECV",
    [SS_FIN_WAIT1] = "FIN_WAIT1",
    [SS_FIN_WAIT2] = "FIN_WAIT2",
    [SS_TIME_WAIT] = "TIME_WAIT",
    [SS_CLOSE] = "CLOSE",
    [SS_CLOSE_WAIT] = "CLOSE_WAIT",
    [SS_LAST_ACK] = "LAST_ACK",
    [SS_LISTEN] = "LISTEN",
    [SS_CLOSING] = "CLOSING",
};

static const char *const label_names[SS_MAX] = {
    [SS_ESTABLISHED] = "established",
    [SS_SYN_SENT] = "syn_sent",
    [SS_SYN_RECV] = "syn_recv",
    [SS_FIN_WAIT1] = "fin_wait1",
    [SS_FIN_WAIT2] = "fin_wait2",
    [SS_TIME_WAIT] = "time_wait",
    [SS_CLOSE] = "close",
    [SS_CLOSE_WAIT] = "close_wait",
    [SS_LAST_ACK] = "last_ack",
    [SS_LISTEN] = "listen",
    [SS_CLOSING] = "closing",
};

unsigned int state_fold(unsigned int code)
{
	if (code == SS_NEW_SYN_RECV) {
		return SS_SYN_RECV;
	}
	if (code == SS_BOUND_INACTIVE) {
		return SS_CLOSE;
	}
	return code < SS_MAX ? code : 0;
}

const char *state_name(unsigned int code, uint8_t protocol)
{
	/* Fold first: BOUND_INACTIVE is CLOSE, so UNCONN off TCP too. */
	code = state_fold(code);
	if (code == SS_CLOSE && protocol != 6 /* IPPROTO_TCP */) {
		return "UNCONN";
	}
	return doc_names[code] ? doc_names[code] : "UNKNOWN";
}

const char *state_label(unsigned int code, uint8_t protocol)
{
	code = state_fold(code);
	if (code == SS_CLOSE && protocol != 6) {
		return "unconn";
	}
	return label_names[code] ? label_names[code] : "unknown";
}

/* Names compare with case, '-' and '_' ignored: "fin-wait-1" = "FIN_WAIT1". */
struct state_word {
	const char *key;
	uint32_t mask;
};

#define GROUP_CONNECTED                                                        \
	(SS_ALL_BITS &                                                         \
	 ~(SS_BIT(SS_LISTEN) | SS_BIT(SS_CLOSE) | SS_BIT(SS_BOUND_INACTIVE)))

static const struct state_word words[] = {
    {"established", SS_BIT(SS_ESTABLISHED)},
    {"synsent", SS_BIT(SS_SYN_SENT)},
    {"synrecv", SS_BIT(SS_SYN_RECV) | SS_BIT(SS_NEW_SYN_RECV)},
    {"finwait1", SS_BIT(SS_FIN_WAIT1)},
    {"finwait2", SS_BIT(SS_FIN_WAIT2)},
    {"timewait", SS_BIT(SS_TIME_WAIT)},
    /* ss 7.x: a TCP socket in CLOSE is a bound-inactive one (-a shows
     * them as CLOSE); UDP's CLOSE is UNCONN. */
    {"close", SS_BIT(SS_CLOSE) | SS_BIT(SS_BOUND_INACTIVE)},
    {"closed", SS_BIT(SS_CLOSE) | SS_BIT(SS_BOUND_INACTIVE)},
    {"unconn", SS_BIT(SS_CLOSE)},
    {"unconnected", SS_BIT(SS_CLOSE)},
    {"closewait", SS_BIT(SS_CLOSE_WAIT)},
    {"lastack", SS_BIT(SS_LAST_ACK)},
    {"listen", SS_BIT(SS_LISTEN)},
    {"listening", SS_BIT(SS_LISTEN)},
    {"closing", SS_BIT(SS_CLOSING)},
    {"boundinactive", SS_BIT(SS_BOUND_INACTIVE)},
    {"all", SS_ALL_BITS},
    {"connected", GROUP_CONNECTED},
    {"synchronized", GROUP_CONNECTED & ~SS_BIT(SS_SYN_SENT)},
    {"bucket",
     SS_BIT(SS_SYN_RECV) | SS_BIT(SS_NEW_SYN_RECV) | SS_BIT(SS_TIME_WAIT)},
    {"big", SS_ALL_BITS & ~(SS_BIT(SS_SYN_RECV) | SS_BIT(SS_NEW_SYN_RECV) |
			    SS_BIT(SS_TIME_WAIT))},
};

static bool word_equal(const char *key, const char *word)
{
	for (;;) {
		while (*word == '-' || *word == '_') {
			word++;
		}
		if (!*key || !*word) {
			return !*key && !*word;
		}
		if (*key != tolower((unsigned char)*word)) {
			return false;
		}
		key++;
		word++;
	}
}

int state_parse(const char *word, uint32_t *mask)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (word_equal(words[i].key, word)) {
			*mask = words[i].mask;
			return 0;
		}
	}
	return -EINVAL;
}

uint32_t state_mask_normalize(uint32_t mask)
{
	if (mask & SS_BIT(SS_SYN_RECV)) {
		mask |= SS_BIT(SS_NEW_SYN_RECV);
	}
	return mask & SS_ALL_BITS;
}

bool state_bound_inactive_unsupported(uint32_t mask, const struct kver *k)
{
	/* Linux 6.8: "tcp: Dump bound-only sockets in inet_diag." */
	return (mask & SS_BIT(SS_BOUND_INACTIVE)) &&
	       !(mask & SS_BIT(SS_ESTABLISHED)) && !kver_at_least(k, 6, 8);
}
