// SPDX-License-Identifier: MIT
#include "savefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* What is at path now: -ELOOP, -EINVAL, 0 (a file or nothing), -errno. */
static int check_dest(const char *path)
{
	struct stat st;

	if (lstat(path, &st)) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		return -ELOOP;
	}
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

int savefile_open(struct savefile *sf, const char *path)
{
	char *copy = xstrdup(path);
	size_t n = strlen(path) + sizeof("/.sockscope-save.XXXXXX");
	int err = check_dest(path);
	mode_t mask;

	sf->path = path;
	sf->fd = -1;
	sf->tmp = NULL;
	if (err) {
		free(copy);
		return err;
	}
	sf->tmp = xmalloc(n);
	snprintf(sf->tmp, n, "%s/.sockscope-save.XXXXXX", dirname(copy));
	free(copy);
	sf->fd = mkostemp(sf->tmp, O_CLOEXEC);
	if (sf->fd < 0) {
		err = -errno;
		goto err_free;
	}
	/* umask() reads by writing: put it straight back (no threads yet). */
	mask = umask(0);
	umask(mask);
	if (fchmod(sf->fd, 0644 & ~mask)) {
		err = -errno;
		savefile_abort(sf);
		return err;
	}
	return 0;

err_free:
	free(sf->tmp);
	sf->tmp = NULL;
	return err;
}

void savefile_abort(struct savefile *sf)
{
	if (sf->fd >= 0) {
		close(sf->fd);
		sf->fd = -1;
	}
	if (sf->tmp) {
		unlink(sf->tmp);
		free(sf->tmp);
		sf->tmp = NULL;
	}
}

int savefile_commit(struct savefile *sf)
{
	int err = fsync(sf->fd) ? -errno : 0;

	if (close(sf->fd) && !err) {
		err = -errno;
	}
	sf->fd = -1;
	/* Checked again: a link planted while the dump ran is refused too
	 * (rename would replace the link, not its target, but the user
	 * would find the file somewhere other than they think). */
	if (!err) {
		err = check_dest(sf->path);
	}
	if (!err && rename(sf->tmp, sf->path)) {
		err = -errno;
	}
	if (err) {
		savefile_abort(sf);
		return err;
	}
	free(sf->tmp);
	sf->tmp = NULL;
	return 0;
}

const char *savefile_strerror(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link, not followed (give the path it "
		       "points to)";
	case -EINVAL:
		return "exists and is not a regular file";
	default:
		return strerror(-err);
	}
}
