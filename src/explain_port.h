/*
 * explain_port.h - `sockscope explain port :P`: who holds a local port, the
 * Linux rule for bind() over those sockets, and a scoped kill command.
 */
#ifndef SOCKSCOPE_EXPLAIN_PORT_H
#define SOCKSCOPE_EXPLAIN_PORT_H

#include "opts.h"

/*
 * arg is ":8080" or "8080". Enters the -N namespace itself. Returns an
 * exit status: EXIT_USAGE (one line said why) for a word that is not a
 * port from 1 to 65535.
 */
int explain_port(const struct opts *o, const char *arg);

#endif
