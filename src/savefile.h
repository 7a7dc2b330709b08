/*
 * savefile.h - --save: a file replaced whole or not at all.
 *
 * The dump goes to a new temporary file beside the destination (same
 * directory, so same filesystem) and is rename()d over it only after every
 * byte was written and fsync()ed: a full disk, a failed listing or a
 * reader that went away leaves the old file as it was. rename() replaces
 * a directory entry and never writes through a link, and the destination
 * is checked first: a final symbolic link is refused (a link planted in
 * /tmp must not make root replace what it points to; there is no option
 * to follow it: give the target's path), and so is anything that is not a
 * regular file (--save /dev/null would replace the device node).
 *
 * Call order: savefile_open(), write to sf->fd, then savefile_commit() or
 * savefile_abort() exactly once. A process killed in between leaves its
 * temporary file (.sockscope-save.XXXXXX beside the destination), never a
 * truncated destination.
 */
#ifndef SOCKSCOPE_SAVEFILE_H
#define SOCKSCOPE_SAVEFILE_H

struct savefile {
	const char *path; /* the destination (not owned) */
	char *tmp;	  /* the temporary file's path (owned) */
	int fd;		  /* the temporary file, O_CLOEXEC */
};

/*
 * Caller's storage. Returns 0, or -errno with nothing created: -ELOOP for
 * a final symbolic link, -EINVAL for an existing non-regular file (say
 * them with savefile_strerror), else what lstat or creating the temporary
 * file said. The file gets mode 0644 minus the umask, as open() would.
 */
int savefile_open(struct savefile *sf, const char *path);
/* fsync, close, rename into place. 0, or -errno with the old file kept. */
int savefile_commit(struct savefile *sf);
/* Close and remove the temporary file; the destination is untouched. */
void savefile_abort(struct savefile *sf);
const char *savefile_strerror(int err);

#endif
