/*
 * netns_find.h - every network namespace on the host, once each, labelled
 * (netns_label.h), and a walk that enters each in turn.
 *
 * Sources: the entries of /run/netns and /var/run/netns (ip netns), the
 * runtimes' bind-mount directories (/run/docker/netns, /run/user/UID/netns
 * of rootless podman, ...), every nsfs mount of a network namespace in
 * /proc/self/mountinfo, and /proc/PID/ns/net of every process. One
 * namespace reached through several of them is one entry: the identity of
 * a namespace file is its nsfs inode (st_dev, st_ino).
 *
 * Files are read under root ("/" outside tests: --root); the namespace
 * files found there are what netns_each() enters.
 */
#ifndef SOCKSCOPE_NETNS_FIND_H
#define SOCKSCOPE_NETNS_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netns_label.h"

struct netns_entry {
	uint64_t dev, ino;	  /* the namespace's identity */
	char *path;		  /* a file to enter it by (owned) */
	bool path_is_proc;	  /* path is /proc/PID/ns/net: may vanish */
	pid_t pid;		  /* a process inside, the label's if any; 0 */
	struct netns_label label; /* the best label found */
};

struct netns_set {
	struct netns_entry *v;
	size_t n, cap;
	unsigned int unreadable; /* processes whose namespace was unreadable */
	int unreadable_err;	 /* the first reason (-errno) */
	pid_t unreadable_pid;	 /* and its process */
};

/*
 * Add a namespace file: a new entry, or a merge into the one with this
 * identity, which then takes the better label (a lower rank; at one rank
 * the lower pid) and prefers a path that is not under /proc. pid is the
 * process lab came from (0: none); an entry with no pid takes it even
 * when it keeps its label (a mount's namespace, a process found inside).
 * Returns the entry's index; *merged says whether one existed.
 */
size_t netns_set_add(struct netns_set *s, uint64_t dev, uint64_t ino,
		     const char *path, pid_t pid, const struct netns_label *lab,
		     bool *merged);

/* The entry with this identity, or NULL. */
struct netns_entry *netns_set_find(struct netns_set *s, uint64_t dev,
				   uint64_t ino);

/* The current namespace first, then by kind rank and label. */
void netns_set_sort(struct netns_set *s);

void netns_set_finish(struct netns_set *s);

/*
 * Fill s from every source under root (see above). The namespace
 * sockscope runs in is added first as NETNS_KIND_CURRENT ("-"). Two
 * /run/netns names of one namespace are said on stderr (the first name
 * is used). Processes that vanish are left out; those whose namespace
 * cannot be read are counted in s->unreadable. Returns 0 or -errno (the
 * current namespace or /proc could not be read; s is then left empty).
 */
int netns_discover(struct netns_set *s, const char *root);
/* The one line for netns_discover()'s failure: which /proc (root's,
 * escaped) could not be read, and why. */
void netns_discover_warn(const char *root, int err);

/*
 * The entry -N spec names when it is no /run/netns name: a label, a unit
 * name, a container id prefix or a pod uid prefix. NULL with errno
 * ENOENT (none) or EEXIST (several: the spec is ambiguous).
 */
const struct netns_entry *netns_set_match(const struct netns_set *s,
					  const char *spec);

/*
 * Enter e's namespace: 0; 1 when it vanished (its process exited, its
 * mount went) or its path now names another namespace (the pid was
 * reused: the file opened is checked against e's identity with fstat,
 * never entered otherwise); or -errno (-EINVAL: not a namespace).
 */
int netns_entry_enter(const struct netns_entry *e);

/*
 * Enter each namespace of s in turn (the current one is not switched to)
 * and call fn in it; back in the first namespace afterwards. A namespace
 * that cannot be entered, or that is no namespace, is named on stderr
 * (escaped) and counted in *skipped; one that vanished since discovery
 * (its process exited) is left out. fn's negative return ends the walk
 * and is returned, except -ENODEV (counted as a skip: fn has said why).
 * Returns 0 or -errno. Must be single-threaded (setns).
 */
typedef int (*netns_fn)(const struct netns_entry *e, void *data);
int netns_each(const struct netns_set *s, netns_fn fn, void *data,
	       unsigned int *skipped);

/*
 * netns_each() that says and counts nothing: a namespace that cannot be
 * entered is left out silently (the walk that lists it says why). For a
 * pass ahead of that walk (netns_prefetch.h).
 */
int netns_each_quiet(const struct netns_set *s, netns_fn fn, void *data);

/* The label as printed (escaped); caller frees. */
char *netns_label_escaped(const struct netns_entry *e);

/*
 * -N SPEC: switch to the namespace spec names, before any netlink socket
 * is opened (a socket stays in the namespace it was opened in). spec is
 * a /run/netns name, a path, or what netns_set_match() takes (a label, a
 * container id prefix, a pod uid, a unit name: discovered under root).
 * *e (may be NULL) says which namespace was entered (identity and label;
 * e->path NULL; all zero for a NULL spec, which enters nothing). Returns
 * 0 or -errno, the reason already printed.
 */
int netns_enter_spec(const char *spec, const char *root, struct netns_entry *e);

#endif
