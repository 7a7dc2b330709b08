/*
 * addr.h - address and port text: numeric addresses, the service-name cache.
 *
 * Addresses are in network byte order as struct sock_rec holds them. The
 * service cache reads the services database once (services_load) so that no
 * row ever does I/O; it is read-only afterwards.
 */
#ifndef SOCKSCOPE_ADDR_H
#define SOCKSCOPE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text addr_format() writes, NUL included. */
#define ADDR_STRLEN 46

/* Numeric text of addr ("10.0.0.1", "fe80::1"). Returns its length. */
size_t addr_format(char *buf, uint8_t family, const uint8_t *addr);

/* True for 0.0.0.0 and ::. */
bool addr_is_any(uint8_t family, const uint8_t *addr);

struct services;

/* Reads the services database; never NULL (empty when there is none).
 * Names with a byte outside printable ASCII are left out (never printed). */
struct services *services_load(void);
void services_destroy(struct services *sv);
/* The service name of port/protocol, or NULL. Owned by sv. */
const char *services_name(const struct services *sv, uint16_t port,
			  uint8_t protocol);
/* Service names print cut to this many bytes (format_endpoint). */
#define SERVICE_NAME_MAX 32
/* The longest printed service name (at most SERVICE_NAME_MAX): the table
 * sizes its port part with it. */
size_t services_name_max(const struct services *sv);

#endif
