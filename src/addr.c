// SPDX-License-Identifier: MIT
#include "addr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

static size_t put_u8(char *p, uint8_t v)
{
	size_t n = 0;

	if (v >= 100) {
		p[n++] = (char)('0' + v / 100);
	}
	if (v >= 10) {
		p[n++] = (char)('0' + v / 10 % 10);
	}
	p[n++] = (char)('0' + v % 10);
	return n;
}

size_t addr_format(char *buf, uint8_t family, const uint8_t *addr)
{
	size_t n = 0;

	if (family == AF_INET) {
		/* Hand-rolled: inet_ntop costs a locale-free snprintf per
		 * octet. */
		for (int i = 0; i < 4; i++) {
			if (i) {
				buf[n++] = '.';
			}
			n += put_u8(buf + n, addr[i]);
		}
		buf[n] = '\0';
		return n;
	}
	if (!inet_ntop(AF_INET6, addr, buf, ADDR_STRLEN)) {
		strcpy(buf, "?");
	}
	return strlen(buf);
}

bool addr_is_any(uint8_t family, const uint8_t *addr)
{
	static const uint8_t zero[16];

	return !memcmp(addr, zero, family == AF_INET ? 4 : 16);
}

struct service {
	uint16_t port;
	uint8_t protocol;
	char *name;
};

struct services {
	struct service *v;
	size_t n;
	size_t name_max; /* strnlen(name, SERVICE_NAME_MAX), the longest */
};

static int service_cmp(const void *a, const void *b)
{
	const struct service *x = a, *y = b;

	if (x->port != y->port) {
		return x->port < y->port ? -1 : 1;
	}
	return (int)x->protocol - (int)y->protocol;
}

static int proto_number(const char *name)
{
	if (!strcmp(name, "tcp")) {
		return IPPROTO_TCP;
	}
	if (!strcmp(name, "udp")) {
		return IPPROTO_UDP;
	}
	return -1;
}

/* A service name goes into endpoint text unescaped (columns are sized on
 * it): only a plain word is kept; the port then prints as its number. */
static bool plain_word(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
			return false;
		}
	}
	return true;
}

struct services *services_load(void)
{
	struct services *sv = xcalloc(1, sizeof(*sv));
	size_t cap = 0;
	struct servent *se;

	setservent(1);
	while ((se = getservent())) {
		int proto = proto_number(se->s_proto);

		if (proto < 0 || !plain_word(se->s_name)) {
			continue;
		}
		if (sv->n == cap) {
			cap = cap ? cap * 2 : 256;
			sv->v = xrealloc(sv->v, cap * sizeof(*sv->v));
		}
		sv->v[sv->n].port = ntohs((uint16_t)se->s_port);
		sv->v[sv->n].protocol = (uint8_t)proto;
		sv->v[sv->n].name = xstrdup(se->s_name);
		sv->n++;
		if (strnlen(se->s_name, SERVICE_NAME_MAX) > sv->name_max) {
			sv->name_max = strnlen(se->s_name, SERVICE_NAME_MAX);
		}
	}
	endservent();
	/* Sorted once so that each row costs one binary search. No
	 * /etc/services (or no fd left to open it) leaves an empty table. */
	if (sv->n) {
		qsort(sv->v, sv->n, sizeof(*sv->v), service_cmp);
	}
	return sv;
}

void services_destroy(struct services *sv)
{
	if (!sv) {
		return;
	}
	for (size_t i = 0; i < sv->n; i++) {
		free(sv->v[i].name);
	}
	free(sv->v);
	free(sv);
}

size_t services_name_max(const struct services *sv)
{
	return sv->name_max;
}

const char *services_name(const struct services *sv, uint16_t port,
			  uint8_t protocol)
{
	struct service key = {.port = port, .protocol = protocol};
	const struct service *hit;

	if (!sv->n) {
		return NULL;
	}
	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP) {
		key.protocol = IPPROTO_TCP;
	}
	hit = bsearch(&key, sv->v, sv->n, sizeof(*sv->v), service_cmp);
	return hit ? hit->name : NULL;
}
