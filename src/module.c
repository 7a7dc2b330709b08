// SPDX-License-Identifier: MIT
#include "module.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SOCKSCOPE_MODULE_DIR_DEFAULT
#error "meson defines SOCKSCOPE_MODULE_DIR_DEFAULT (LIBDIR/sockscope)"
#endif

/* The directory of the running executable, or "" when unknown. */
static void exe_dir(char dir[PATH_MAX])
{
	ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);
	char *slash;

	dir[n > 0 ? n : 0] = '\0';
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
	} else {
		dir[0] = '\0';
	}
}

static const char *other_dir(void)
{
	const char *env = getenv("SOCKSCOPE_MODULE_DIR");

	return env && *env ? env : SOCKSCOPE_MODULE_DIR_DEFAULT;
}

/* dir/file in path, if it exists. A file that exists but does not load is
 * the answer (its error is the one to tell), not a reason to look on. */
static bool candidate(char path[PATH_MAX], const char *dir, const char *file)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, file);

	return *dir && n > 0 && n < PATH_MAX && access(path, F_OK) == 0;
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
	const char *there = other_dir();
	const struct module_head *h;
	void *dl;

	exe_dir(here);
	if (!candidate(path, here, file) && !candidate(path, there, file)) {
		snprintf(err, MODULE_ERRLEN,
			 "cannot load %s: not found in %.200s nor %.200s", file,
			 *here ? here : "(the executable's directory)", there);
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
