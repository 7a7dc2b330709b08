// SPDX-License-Identifier: MIT
#include "netns_find.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"
#include "util.h"

/* Whether a label of kind b (from pid pb) beats the entry's. */
static bool better(const struct netns_entry *e, const struct netns_label *b,
		   pid_t pb)
{
	int ra = netns_kind_rank(e->label.kind), rb = netns_kind_rank(b->kind);

	if (rb != ra) {
		return rb < ra;
	}
	/* One rank: the lowest pid, so a listing names what it named
	 * before (a pod's sandbox, the service's main process). */
	return b->kind >= NETNS_KIND_CONTAINER && pb &&
	       (!e->pid || pb < e->pid);
}

struct netns_entry *netns_set_find(struct netns_set *s, uint64_t dev,
				   uint64_t ino)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].dev == dev && s->v[i].ino == ino) {
			return &s->v[i];
		}
	}
	return NULL;
}

static bool under_proc(const char *path)
{
	return strstr(path, "/proc/") != NULL;
}

size_t netns_set_add(struct netns_set *s, uint64_t dev, uint64_t ino,
		     const char *path, pid_t pid, const struct netns_label *lab,
		     bool *merged)
{
	struct netns_entry *e = netns_set_find(s, dev, ino);

	*merged = e != NULL;
	if (!e) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 16;
			s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
		}
		e = &s->v[s->n++];
		*e = (struct netns_entry){
		    .dev = dev,
		    .ino = ino,
		    .path = xstrdup(path),
		    .path_is_proc = under_proc(path),
		    .pid = pid,
		    .label = *lab,
		};
		return (size_t)(e - s->v);
	}
	if (better(e, lab, pid)) {
		e->label = *lab;
		e->pid = pid;
	} else if (!e->pid) {
		/* A path's label and a process inside: JSON's pid, the
		 * summary's heading name it (it was null while known). */
		e->pid = pid;
	}
	/* A mount stays while processes come and go. */
	if (e->path_is_proc && !under_proc(path)) {
		free(e->path);
		e->path = xstrdup(path);
		e->path_is_proc = false;
	}
	return (size_t)(e - s->v);
}

static int by_rank(const void *pa, const void *pb)
{
	const struct netns_entry *a = pa, *b = pb;
	int ra = netns_kind_rank(a->label.kind);
	int rb = netns_kind_rank(b->label.kind);
	int c = strcmp(a->label.text, b->label.text);

	if (ra != rb) {
		return ra < rb ? -1 : 1;
	}
	if (c) {
		return c;
	}
	return a->ino < b->ino ? -1 : a->ino > b->ino;
}

void netns_set_sort(struct netns_set *s)
{
	if (s->n > 1) {
		qsort(s->v, s->n, sizeof(*s->v), by_rank);
	}
}

void netns_set_finish(struct netns_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int path_under(char *buf, const char *root, const char *rel)
{
	bool slash = root[0] && root[strlen(root) - 1] == '/';

	if ((size_t)snprintf(buf, PATH_MAX, "%s%s%s", root, slash ? "" : "/",
			     rel[0] == '/' ? rel + 1 : rel) >= PATH_MAX) {
		return -ENAMETOOLONG;
	}
	return 0;
}

static void add_file(struct netns_set *s, const char *path, pid_t pid,
		     const struct netns_label *lab, const char *name)
{
	struct stat st;
	bool merged;
	size_t i;

	if (stat(path, &st)) {
		return; /* gone, or not ours to see: no namespace known */
	}
	i = netns_set_add(s, st.st_dev, st.st_ino, path, pid, lab, &merged);
	if (merged && name && lab->kind == NETNS_KIND_NAMED &&
	    s->v[i].label.kind == NETNS_KIND_NAMED &&
	    strcmp(s->v[i].label.text, name)) {
		char *a = xmalloc(4 * strlen(name) + 1);
		char *b = netns_label_escaped(&s->v[i]);

		escape_text(a, name, strlen(name));
		warnx_("--all-netns: %s is the namespace %s: listed once, as "
		       "%s",
		       a, b, b);
		free(a);
		free(b);
	}
}

/* The entries of dir: ip-netns names (named) or a runtime's mounts. */
static void scan_dir(struct netns_set *s, const char *root, const char *dir,
		     bool named)
{
	char path[PATH_MAX], file[PATH_MAX];
	char **names;
	size_t n;

	if (path_under(path, root, dir) || netns_names(path, &names, &n)) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct netns_label lab;

		if ((size_t)snprintf(file, sizeof(file), "%s/%s", path,
				     names[i]) >= sizeof(file)) {
			continue;
		}
		netns_label_set(&lab,
				named ? NETNS_KIND_NAMED : NETNS_KIND_MOUNT,
				named ? names[i] : file);
		add_file(s, file, 0, &lab, names[i]);
	}
	netns_names_free(names, n);
}

/* /run/user/UID/netns: rootless podman's namespaces, one dir per user. */
static void scan_user_dirs(struct netns_set *s, const char *root)
{
	char path[PATH_MAX], rel[PATH_MAX];
	char **uids;
	size_t n;

	if (path_under(path, root, "run/user") ||
	    netns_names(path, &uids, &n)) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((size_t)snprintf(rel, sizeof(rel), "run/user/%s/netns",
				     uids[i]) < sizeof(rel)) {
			scan_dir(s, root, rel, false);
		}
	}
	netns_names_free(uids, n);
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Every nsfs mount of a network namespace, wherever it is mounted. */
static void scan_mounts(struct netns_set *s, const char *root)
{
	char path[PATH_MAX], file[PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (path_under(path, root, "proc/self/mountinfo") ||
	    !(f = fopen(path, "re"))) {
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		char mroot[64], point[PATH_MAX], fstype[32];
		const char *sep = strstr(line, " - ");
		struct netns_label lab;

		if (!sep || sscanf(sep, " - %31s", fstype) != 1 ||
		    strcmp(fstype, "nsfs") ||
		    sscanf(line, "%*s %*s %*s %63s %4095s", mroot, point) !=
			2 ||
		    strncmp(mroot, "net:[", 5)) {
			continue;
		}
		unescape_octal(point);
		if (path_under(file, root, point)) {
			continue;
		}
		netns_label_set(&lab, NETNS_KIND_MOUNT, point);
		add_file(s, file, 0, &lab, NULL);
	}
	free(line);
	fclose(f);
}

static bool is_pid(const char *name)
{
	return name[0] >= '1' && name[0] <= '9' &&
	       strspn(name, "0123456789") == strlen(name);
}

/* One process: its namespace, labelled by it unless better is known. */
static void scan_process(struct netns_set *s, const char *root, pid_t pid)
{
	char path[PATH_MAX], rel[64];
	struct netns_label lab;
	struct netns_entry *e;
	struct stat st;
	bool merged;

	snprintf(rel, sizeof(rel), "proc/%d/ns/net", (int)pid);
	if (path_under(path, root, rel)) {
		return;
	}
	if (stat(path, &st)) {
		if (errno == EACCES || errno == EPERM) {
			if (!s->unreadable) {
				s->unreadable_err = -errno;
				s->unreadable_pid = pid;
			}
			s->unreadable++;
		}
		return; /* ENOENT, ESRCH: it exited */
	}
	e = netns_set_find(s, st.st_dev, st.st_ino);
	/* A cgroup file is read per process only where it can help: a
	 * name or a container label is as good as it gets. */
	if (e && netns_kind_rank(e->label.kind) <=
		     netns_kind_rank(NETNS_KIND_CONTAINER)) {
		e->pid = e->pid ? e->pid : pid;
		return;
	}
	if (netns_label_pid(root, pid, &lab)) {
		return; /* exited */
	}
	netns_set_add(s, st.st_dev, st.st_ino, path, pid, &lab, &merged);
}

static int scan_procs(struct netns_set *s, const char *root)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (path_under(path, root, "proc") || !(d = opendir(path))) {
		return -errno;
	}
	while ((de = readdir(d))) {
		if (is_pid(de->d_name)) {
			scan_process(s, root, (pid_t)atoi(de->d_name));
		}
	}
	closedir(d);
	return 0;
}

/* Where ip netns and the container runtimes mount namespaces. */
static const struct dir_src {
	const char *dir;
	bool named;
} dirs[] = {
    {NETNS_RUN_DIR, true},
    {"/var/run/netns", true},
    {"/run/docker/netns", false},
    {"/var/run/docker/netns", false},
};

/* Whether dirs[i] is an earlier one (/var/run is /run on most systems):
 * each name is read, and its duplicates said, once. */
static bool seen_dir(const char *root, const struct dir_src *d, size_t i)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat sa, sb;

	if (path_under(a, root, d[i].dir) || stat(a, &sa)) {
		return true; /* nothing to read there */
	}
	for (size_t k = 0; k < i; k++) {
		if (!path_under(b, root, d[k].dir) && !stat(b, &sb) &&
		    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino) {
			return true;
		}
	}
	return false;
}

int netns_discover(struct netns_set *s, const char *root)
{
	struct netns_label cur;
	struct stat st;
	bool merged;
	int err;

	memset(s, 0, sizeof(*s));
	if (stat("/proc/self/ns/net", &st)) {
		return -errno;
	}
	netns_label_set(&cur, NETNS_KIND_CURRENT, "-");
	netns_set_add(s, st.st_dev, st.st_ino, "/proc/self/ns/net", getpid(),
		      &cur, &merged);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!seen_dir(root, dirs, i)) {
			scan_dir(s, root, dirs[i].dir, dirs[i].named);
		}
	}
	scan_user_dirs(s, root);
	scan_mounts(s, root);
	err = scan_procs(s, root);
	if (err) {
		netns_set_finish(s); /* the callers return at once */
	}
	return err;
}

/*
 * Whether spec names id: a prefix of it, or, where the label keeps only
 * the start of the id (cut: a container's 12 characters), a longer hex
 * id that starts so. "0123456789abXYZ" or a pod uid with more after it
 * names nothing.
 */
static bool prefix_of(const char *spec, const char *id, bool cut)
{
	size_t n = strlen(spec), k = strlen(id);

	if (!k || !n) {
		return false;
	}
	if (n <= k) {
		return !strncmp(spec, id, n);
	}
	return cut && !strncmp(spec, id, k) &&
	       strspn(spec, "0123456789abcdef") == n;
}

const struct netns_entry *netns_set_match(const struct netns_set *s,
					  const char *spec)
{
	const struct netns_entry *hit = NULL;

	for (size_t i = 0; i < s->n; i++) {
		const struct netns_label *l = &s->v[i].label;

		if (!strcmp(l->text, spec) || !strcmp(l->unit, spec) ||
		    prefix_of(spec, l->container, true) ||
		    prefix_of(spec, l->pod, false)) {
			if (hit) {
				errno = EEXIST;
				return NULL;
			}
			hit = &s->v[i];
		}
	}
	errno = hit ? 0 : ENOENT;
	return hit;
}

char *netns_label_escaped(const struct netns_entry *e)
{
	size_t n = strlen(e->label.text);
	char *out = xmalloc(4 * n + 1);

	escape_text(out, e->label.text, n);
	return out;
}

void netns_discover_warn(const char *root, int err)
{
	bool sub = strcmp(root, "/") != 0;
	char *r = xmalloc(4 * strlen(root) + 1);

	escape_text(r, sub ? root : "", sub ? strlen(root) : 0);
	warnx_("--all-netns: %s/proc cannot be read: %s", r, strerror(-err));
	free(r);
}

static void warn_skip(const struct netns_entry *e, int err)
{
	char *name = netns_label_escaped(e);

	warnx_("--all-netns: skipped %s: %s", name,
	       err == -EINVAL ? "not a network namespace" : strerror(-err));
	free(name);
}

int netns_entry_enter(const struct netns_entry *e)
{
	int fd = netns_open(e->path);
	struct stat st;
	int err = 0;

	if (fd < 0) {
		return e->path_is_proc && (fd == -ENOENT || fd == -ESRCH) ? 1
									  : fd;
	}
	if (fstat(fd, &st)) {
		err = -errno;
	} else if ((uint64_t)st.st_dev != e->dev ||
		   (uint64_t)st.st_ino != e->ino) {
		err = 1; /* the pid now names another process */
	} else {
		err = netns_switch(fd);
	}
	close(fd);
	return err;
}

/* netns_each(), or quietly (skipped NULL): nothing said, nothing counted. */
static int walk(const struct netns_set *s, netns_fn fn, void *data,
		unsigned int *skipped)
{
	int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (orig < 0) {
		err = -errno;
		if (skipped) {
			warnx_("--all-netns: %s", strerror(-err));
		}
		return err;
	}
	if (s->unreadable && skipped) {
		warnx_("--all-netns: skipped the namespaces of %u process%s "
		       "(pid %d%s): %s",
		       s->unreadable, s->unreadable == 1 ? "" : "es",
		       (int)s->unreadable_pid,
		       s->unreadable == 1 ? "" : " and others",
		       strerror(-s->unreadable_err));
		(*skipped)++;
	}
	for (size_t i = 0; i < s->n && !err; i++) {
		const struct netns_entry *e = &s->v[i];
		bool here = e->label.kind == NETNS_KIND_CURRENT;
		int e_err = here ? 0 : netns_entry_enter(e);

		if (e_err) {
			if (e_err < 0 && skipped) {
				warn_skip(e, e_err);
				(*skipped)++;
			}
			continue;
		}
		err = fn(e, data);
		if (err == -ENODEV) {
			err = 0; /* a `dev` it does not have: said */
			if (skipped) {
				(*skipped)++;
			}
		}
		if (!here && netns_switch(orig)) {
			warnx_("--all-netns: cannot return to the first "
			       "namespace: %s",
			       strerror(errno));
			err = -EIO;
		}
	}
	close(orig);
	return err;
}

int netns_each(const struct netns_set *s, netns_fn fn, void *data,
	       unsigned int *skipped)
{
	return walk(s, fn, data, skipped);
}

int netns_each_quiet(const struct netns_set *s, netns_fn fn, void *data)
{
	return walk(s, fn, data, NULL);
}

/*
 * -N SPEC that is no /run/netns name: the one namespace of the host whose
 * label, unit, container id or pod uid SPEC names (or begins). Entered,
 * *e filled (path NULL); 0 or -errno after one line.
 */
static int enter_by_label(const char *spec, const char *root,
			  struct netns_entry *e)
{
	char *name = escape_dup(spec);
	const struct netns_entry *hit = NULL;
	struct netns_set set;
	int err = netns_discover(&set, root);

	if (!err) {
		hit = netns_set_match(&set, spec);
		err = hit ? 0 : -errno;
	}
	if (err == -ENOENT) {
		warnx_("-N %s: no such namespace (%s/%s does not exist, and "
		       "no container, pod or unit is called so)",
		       name, NETNS_RUN_DIR, name);
	} else if (err == -EEXIST) {
		warnx_("-N %s: ambiguous: it names several namespaces "
		       "(sockscope --all-netns lists their labels)",
		       name);
	} else if (!err && (err = netns_entry_enter(hit)) > 0) {
		/* Its process exited, or its pid is another process's now:
		 * the file opened is not the namespace the label named. */
		warnx_("-N %s: the namespace found is gone (its process "
		       "exited, or its pid names another process now); try "
		       "again",
		       name);
		err = -ESRCH;
	} else if (err) {
		warnx_("-N %s: %s", name, strerror(-err));
	}
	if (!err) {
		*e = *hit;
		e->path = NULL;
	}
	netns_set_finish(&set);
	free(name);
	return err;
}

int netns_enter_spec(const char *spec, const char *root, struct netns_entry *e)
{
	bool path = spec && strchr(spec, '/');
	struct netns_entry unused;
	struct stat st;
	char *name;
	int err;

	if (!e) {
		e = &unused;
	}
	memset(e, 0, sizeof(*e));
	if (!spec) {
		return 0;
	}
	err = netns_enter(spec);
	if (err == -ENOENT && !path) {
		err = enter_by_label(spec, root, e);
		if (err) {
			return err;
		}
	} else if (err) {
		name = escape_dup(spec);
		warnx_("-N %s: %s", name,
		       err == -EINVAL ? "not a network namespace"
				      : strerror(-err));
		free(name);
		return err;
	} else {
		netns_label_set(&e->label,
				path ? NETNS_KIND_MOUNT : NETNS_KIND_NAMED,
				spec);
	}
	if (!stat("/proc/self/ns/net", &st)) {
		e->dev = st.st_dev;
		e->ino = st.st_ino;
	}
	return 0;
}
