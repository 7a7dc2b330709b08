/*
 * proc.h - socket inode -> owning processes, from one pass over
 * /proc/PID/fd.
 *
 * proc_map_build() walks every process once (directory fds and
 * readlinkat(), no path rebuilt per fd), keeps only socket fds and reads a
 * process's name (/proc/PID/comm) only when it owns at least one socket.
 * Processes that exit during the walk and directories the caller may not
 * read (other users' processes without root) are skipped without a word:
 * the map is a best-effort snapshot, as ss's is. Running out of file
 * descriptors (EMFILE, ENFILE) is not skipped: the build fails.
 *
 * Lookups never allocate and never do I/O: safe for the per-row path.
 * Names are raw bytes exactly as the process set them: escape them before
 * printing (obuf_escape_text, obuf_json_string).
 */
#ifndef SOCKSCOPE_PROC_H
#define SOCKSCOPE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proc_map;

/* The longest name a proc_owner carries (comm is 15 bytes; kernel
 * threads' names are longer). */
#define PROC_NAME_MAX 64

/* One (process, fd) holding a socket. name points into the map. */
struct proc_owner {
	uint32_t pid;
	uint32_t fd;
	const char *name; /* not NUL-terminated, name_len <= PROC_NAME_MAX */
	size_t name_len;
};

/*
 * Walk root/proc (root "/" for the live system; tests pass a fixture
 * tree). Returns 0 and *out, or -errno when root/proc itself cannot be
 * opened, or -EMFILE/-ENFILE (and *out NULL) when the walk ran out of
 * descriptors.
 */
int proc_map_build(const char *root, struct proc_map **out);
/*
 * proc_map_build(), and where it fails one stderr line that says why:
 * "WHO: cannot read /proc under ROOT: REASON" (ROOT escaped), then
 * "; THEN" when then is not NULL (what the output lacks for it).
 */
int proc_map_build_said(const char *root, struct proc_map **out,
			const char *who, const char *then);
void proc_map_destroy(struct proc_map *m);

/*
 * Owners of the socket inode, one per call: set *cursor to 0 before the
 * first call; returns false when there are no more. Owners come in the
 * order of ascending pid, then of the process's fd directory (ascending
 * fds in a real /proc).
 */
bool proc_map_next(const struct proc_map *m, uint32_t inode, size_t *cursor,
		   struct proc_owner *out);

/* Number of (process, fd) entries in the map. */
size_t proc_map_size(const struct proc_map *m);

/*
 * An incremental map for a view refreshed again and again (top): each
 * update lists the processes and walks only the new ones and those whose
 * fd directory changed (its size, the number of open fds since Linux 6.2,
 * or its time); an unchanged process's owners are kept without a read.
 * all: walk every process (a socket the map lacks, opened and closed in
 * one fd slot, leaves the count as it was). The map is valid until the
 * next update; on failure (-errno) the previous one stays. root is the
 * caller's, outliving c.
 */
struct proc_cache;

struct proc_cache *proc_cache_create(const char *root);
void proc_cache_destroy(struct proc_cache *c);
int proc_cache_update(struct proc_cache *c, bool all);
const struct proc_map *proc_cache_map(const struct proc_cache *c);
/* Processes whose fd directory was read, since create (for tests). */
unsigned long proc_cache_walks(const struct proc_cache *c);

#endif
