// SPDX-License-Identifier: MIT
#include "module.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SOCKSCOPE_MODULE_DIR_DEFAULT
#error "meson defines SOCKSCOPE_MODULE_DIR_DEFAULT (LIBDIR/sockscope)"
#endif

/*
 * The directory of the running executable, or "" when unknown, and its
 * owner (root when unknown). Through readlink(): valgrind answers that
 * one for the program it runs, not for itself.
 */
static void exe_dir(char dir[PATH_MAX], uid_t *owner)
{
	ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);
	struct stat st;
	char *slash;

	dir[n > 0 ? n : 0] = '\0';
	*owner = n > 0 && !stat(dir, &st) ? st.st_uid : 0;
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
	} else {
		dir[0] = '\0';
	}
}

/* Not for a process that gained privileges at exec (file capabilities,
 * setuid: AT_SECURE): there secure_getenv() answers NULL. */
static const char *other_dir(void)
{
	const char *env = secure_getenv("SOCKSCOPE_MODULE_DIR");

	return env && *env ? env : SOCKSCOPE_MODULE_DIR_DEFAULT;
}

/* dir/file in path, if it exists. A file that exists but does not load is
 * the answer (its error is the one to tell), not a reason to look on. */
static bool candidate(char path[PATH_MAX], const char *dir, const char *file)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, file);

	return *dir && n > 0 && n < PATH_MAX && access(path, F_OK) == 0;
}

/*
 * Whether the module found at path (in dir) may be loaded: owned by root,
 * by us or by the executable's owner (a build tree run with sudo: its
 * owner could have put anything in the binary already), not writable by
 * others, in a directory that others cannot write to or that is sticky
 * (/tmp: no one else can replace our file there). sockscope runs as root:
 * a copy run from /tmp must not load a sockscope-nl.so another user put
 * beside it.
 */
static bool trusted(const char *path, const char *dir, uid_t exe_owner,
		    const char *file, char err[MODULE_ERRLEN])
{
	struct stat st, dst;
	const char *why = NULL;

	if (stat(path, &st) || stat(dir, &dst)) {
		snprintf(err, MODULE_ERRLEN, "cannot load %s: %.300s: %m", file,
			 path);
		return false;
	}
	if (st.st_uid != 0 &&
	    (getauxval(AT_SECURE) ||
	     (st.st_uid != geteuid() && st.st_uid != exe_owner))) {
		/* With privileges gained at exec (file capabilities),
		 * only root's: the caller's own could be anything. */
		why = "is another user's";
	} else if (st.st_mode & (S_IWOTH | S_IWGRP)) {
		why = "is writable by others";
	} else if ((dst.st_mode & (S_IWOTH | S_IWGRP)) &&
		   !(dst.st_mode & S_ISVTX)) {
		why = "is in a directory others can write to";
	}
	if (why) {
		snprintf(err, MODULE_ERRLEN, "cannot load %s: %.300s %s", file,
			 path, why);
		return false;
	}
	return true;
}

static const void *check_head(const struct module_head *h, const char *file,
			      size_t size, char err[MODULE_ERRLEN])
{
	if (h->abi == MODULE_ABI && h->size == size && h->version &&
	    !strcmp(h->version, SOCKSCOPE_VERSION)) {
		return h;
	}
	snprintf(err, MODULE_ERRLEN,
		 "cannot load %s: it is from another build (sockscope %.32s, "
		 "module ABI %u, %u bytes; this is %s, ABI %u, %zu bytes)",
		 file, h->version ? h->version : "?", h->abi, h->size,
		 SOCKSCOPE_VERSION, MODULE_ABI, size);
	return NULL;
}

const void *module_load(const char *file, const char *symbol, size_t size,
			char err[MODULE_ERRLEN])
{
	char here[PATH_MAX], path[PATH_MAX];
	const char *there = other_dir(), *dir;
	const struct module_head *h;
	uid_t exe_owner;
	void *dl;

	exe_dir(here, &exe_owner);
	if (candidate(path, here, file)) {
		dir = here;
	} else if (candidate(path, there, file)) {
		dir = there;
	} else {
		snprintf(err, MODULE_ERRLEN,
			 "cannot load %s: not found in %.200s nor %.200s", file,
			 *here ? here : "(the executable's directory)", there);
		return NULL;
	}
	if (!trusted(path, dir, exe_owner, file, err)) {
		return NULL;
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, MODULE_ERRLEN, "cannot load %s: %s", file,
			 dlerror());
		return NULL;
	}
	h = dlsym(dl, symbol);
	if (!h) {
		snprintf(err, MODULE_ERRLEN, "cannot load %s: %s", file,
			 dlerror());
		dlclose(dl);
		return NULL;
	}
	if (!check_head(h, file, size, err)) {
		dlclose(dl);
		return NULL;
	}
	return h;
}
