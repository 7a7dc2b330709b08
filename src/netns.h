/*
 * netns.h - network namespaces by name (/run/netns/NAME, as ip-netns(8)
 * makes them) or by path (/proc/PID/ns/net, a bind mount anywhere).
 *
 * A netlink socket belongs to the namespace current when it was opened,
 * so callers switch namespace before opening any (sock_diag, libnl's).
 * The process must be single-threaded: setns() moves the calling thread.
 */
#ifndef SOCKSCOPE_NETNS_H
#define SOCKSCOPE_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define NETNS_RUN_DIR "/run/netns"

/*
 * Open a namespace: spec with a '/' is a path, anything else a name under
 * NETNS_RUN_DIR ("." and ".." are refused with -EINVAL). Returns an fd
 * (O_CLOEXEC) or -errno; -EINVAL also for a file that is not a namespace
 * (a FIFO planted in /run/netns is refused, never waited on).
 */
int netns_open(const char *spec);

/* setns() into the namespace fd; 0 or -errno (-EINVAL: not a netns). */
int netns_switch(int fd);

/* netns_open() + netns_switch(). 0 or -errno. */
int netns_enter(const char *spec);

/*
 * stat() of the file netns_open(spec) would open, without opening it (no
 * descriptor: it works where the limit is reached). A mounted namespace
 * file reads as its nsfs inode, the namespace's identity. 0 or -errno.
 */
int netns_stat(const char *spec, struct stat *st);

/*
 * The names in dir (NETNS_RUN_DIR outside tests), sorted. Returns 0 with
 * *names (free with netns_names_free) and *n; a missing dir is no names.
 */
int netns_names(const char *dir, char ***names, size_t *n);
void netns_names_free(char **names, size_t n);

#endif
