// SPDX-License-Identifier: MIT
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util.h"

/* Deeper hierarchies exist only to exhaust someone's file descriptors. */
#define MAX_DEPTH 32

struct cg_entry {
	uint64_t id;
	char *path;
};

struct cgroups {
	struct cg_entry *e;
	size_t n, cap;
};

static void add(struct cgroups *cg, uint64_t id, const char *path)
{
	if (cg->n == cg->cap) {
		cg->cap = cg->cap ? cg->cap * 2 : 64;
		cg->e = xrealloc(cg->e, cg->cap * sizeof(*cg->e));
	}
	cg->e[cg->n++] = (struct cg_entry){.id = id, .path = xstrdup(path)};
}

/* dfd is consumed. path holds this directory's path ("" for the root). */
static void walk(struct cgroups *cg, int dfd, char *path, size_t len, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		size_t nlen = strlen(de->d_name);
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    len + 1 + nlen >= PATH_MAX || depth >= MAX_DEPTH) {
			continue;
		}
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0 || fstat(sub, &st)) {
			if (sub >= 0) {
				close(sub);
			}
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nlen + 1);
		add(cg, st.st_ino, path);
		walk(cg, sub, path, len + 1 + nlen, depth + 1);
		path[len] = '\0';
	}
	closedir(d);
}

static int by_id(const void *a, const void *b)
{
	const struct cg_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool is_cgroup2(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * A cgroup2 hierarchy of our own, attached nowhere (fsopen + fsmount): for
 * where /sys/fs/cgroup is hidden, as under `ip netns exec`, which mounts a
 * fresh sysfs over /sys. It is the hierarchy of our cgroup namespace, as
 * /sys/fs/cgroup would be, and goes away with the descriptor.
 */
static int detached_cgroup2(void)
{
	int fs = fsopen("cgroup2", FSOPEN_CLOEXEC);
	int mnt = -1, fd = -1;

	if (fs < 0) {
		return -1;
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	}
	close(fs);
	if (mnt >= 0) {
		/* fsmount gives an O_PATH descriptor: one to read from. */
		fd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(mnt);
	}
	return fd;
}

int cgroups_open_mount(const char *root)
{
	static const char *const where[] = {
	    "sys/fs/cgroup",
	    "sys/fs/cgroup/unified",
	};
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", root, where[i]);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		if (is_cgroup2(fd)) {
			return fd;
		}
		close(fd);
	}
	/* A fixture root (tests) is all there is to read. */
	return strcmp(root, "/") ? -1 : detached_cgroup2();
}

void cgroups_build(const char *root, struct cgroups **out)
{
	struct cgroups *cg = xcalloc(1, sizeof(*cg));
	char *path = xmalloc(PATH_MAX);
	struct stat st;
	int dfd = cgroups_open_mount(root);

	if (dfd >= 0 && fstat(dfd, &st) == 0) {
		add(cg, st.st_ino, "/");
		path[0] = '\0';
		walk(cg, dfd, path, 0, 0);
	} else if (dfd >= 0) {
		close(dfd);
	}
	free(path);
	qsort(cg->e, cg->n, sizeof(*cg->e), by_id);
	*out = cg;
}

void cgroups_destroy(struct cgroups *cg)
{
	if (!cg) {
		return;
	}
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->e[i].path);
	}
	free(cg->e);
	free(cg);
}

const char *cgroups_path(const struct cgroups *cg, uint64_t id)
{
	const struct cg_entry key = {.id = id};
	const struct cg_entry *hit;

	if (!cg || cg->n == 0) {
		return NULL;
	}
	hit = bsearch(&key, cg->e, cg->n, sizeof(*cg->e), by_id);
	return hit ? hit->path : NULL;
}
