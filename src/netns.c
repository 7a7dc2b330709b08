// SPDX-License-Identifier: MIT
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The file spec names: spec itself, or NETNS_RUN_DIR/spec in path. */
static int spec_path(const char *spec, char path[PATH_MAX], const char **out)
{
	if (strchr(spec, '/')) {
		*out = spec;
		return 0;
	}
	if (!spec[0] || !strcmp(spec, ".") || !strcmp(spec, "..")) {
		return -EINVAL;
	}
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s", NETNS_RUN_DIR, spec) >=
	    PATH_MAX) {
		return -ENAMETOOLONG;
	}
	*out = path;
	return 0;
}

int netns_open(const char *spec)
{
	char path[PATH_MAX];
	const char *file;
	int err = spec_path(spec, path, &file);

	if (err) {
		return err;
	}
	/* Non-blocking and checked: a FIFO planted in /run/netns is
	 * refused, not waited on. */
	return open_input(file, INPUT_NSFS);
}

int netns_stat(const char *spec, struct stat *st)
{
	char path[PATH_MAX];
	const char *file;
	int err = spec_path(spec, path, &file);

	if (err) {
		return err;
	}
	return stat(file, st) ? -errno : 0;
}

int netns_switch(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

int netns_enter(const char *spec)
{
	int fd = netns_open(spec);
	int err;

	if (fd < 0) {
		return fd;
	}
	err = netns_switch(fd);
	close(fd);
	return err;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int netns_names(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.') {
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n) {
		qsort(*names, *n, sizeof(**names), by_name);
	}
	return 0;
}

void netns_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}
