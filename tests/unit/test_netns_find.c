// SPDX-License-Identifier: MIT
/* Namespace labels from cgroup paths, the de-duplicating set, discovery
 * over a fixture /proc; entering namespaces is the integration test's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "format_prom.h"
#include "netns_find.h"
#include "netns_label.h"
#include "opts.h"
#include "state.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID  "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b"
#define UID_ "1b2c3d4e_5f60_4718_9a2b_3c4d5e6f7a8b"

static const struct cg_case {
	const char *path;
	enum netns_kind kind;
	const char *text;
	const char *container;
	const char *pod;
	const char *unit;
} cases[] = {
    /* docker, systemd and cgroupfs drivers */
    {"/system.slice/docker-" ID64 ".scope", NETNS_KIND_CONTAINER,
     "docker:0123456789ab", "0123456789ab", "", ""},
    {"/docker/" ID64, NETNS_KIND_CONTAINER, "docker:0123456789ab",
     "0123456789ab", "", ""},
    /* nested under a test's (or a user's) own cgroup */
    {"/user.slice/user-0.slice/session-1.scope/t/docker-" ID64 ".scope",
     NETNS_KIND_CONTAINER, "docker:0123456789ab", "0123456789ab", "", ""},
    {"/system.slice/cri-containerd-" ID64 ".scope", NETNS_KIND_CONTAINER,
     "containerd:0123456789ab", "0123456789ab", "", ""},
    {"/machine.slice/crio-" ID64 ".scope", NETNS_KIND_CONTAINER,
     "crio:0123456789ab", "0123456789ab", "", ""},
    {"/machine.slice/libpod-" ID64 ".scope", NETNS_KIND_CONTAINER,
     "podman:0123456789ab", "0123456789ab", "", ""},
    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
     ".scope/container",
     NETNS_KIND_CONTAINER, "podman:0123456789ab", "0123456789ab", "", ""},
    /* conmon is not the container; its unit names nothing either */
    {"/machine.slice/libpod-conmon-" ID64 ".scope", NETNS_KIND_NONE, "", "", "",
     ""},
    {"/system.slice/crio-conmon-" ID64 ".scope", NETNS_KIND_NONE, "", "", "",
     ""},
    /* Kubernetes, systemd driver: uid written with underscores */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
     ".slice/cri-containerd-" ID64 ".scope",
     NETNS_KIND_POD, "pod:" UID " 0123456789ab", "0123456789ab", UID, ""},
    {"/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID64 ".scope",
     NETNS_KIND_POD, "pod:" UID " 0123456789ab", "0123456789ab", UID, ""},
    /* cgroupfs driver: a bare id under the pod */
    {"/kubepods/besteffort/pod" UID "/" ID64, NETNS_KIND_POD,
     "pod:" UID " 0123456789ab", "0123456789ab", UID, ""},
    {"/kubepods/pod" UID, NETNS_KIND_POD, "pod:" UID, "", UID, ""},
    /* a pod-like name outside kubepods is no pod */
    {"/system.slice/pod" UID, NETNS_KIND_NONE, "", "", "", ""},
    /* systemd units: the deepest service */
    {"/system.slice/nginx.service", NETNS_KIND_SERVICE, "nginx.service", "", "",
     "nginx.service"},
    {"/system.slice/getty@tty1.service", NETNS_KIND_SERVICE,
     "getty@tty1.service", "", "", "getty@tty1.service"},
    {"/user.slice/user-1000.slice/user@1000.service/app.slice/x.service",
     NETNS_KIND_SERVICE, "x.service", "", "", "x.service"},
    {"/system.slice/docker.service", NETNS_KIND_SERVICE, "docker.service", "",
     "", "docker.service"},
    /* nothing */
    {"/", NETNS_KIND_NONE, "", "", "", ""},
    {"", NETNS_KIND_NONE, "", "", "", ""},
    {"/user.slice/user-0.slice/session-3.scope", NETNS_KIND_NONE, "", "", "",
     ""},
    /* too short, not hex, a bare id not under docker or a pod */
    {"/system.slice/docker-0123.scope", NETNS_KIND_NONE, "", "", "", ""},
    {"/system.slice/docker-0123456789abXYZ.scope", NETNS_KIND_NONE, "", "", "",
     ""},
    {"/other/" ID64, NETNS_KIND_NONE, "", "", "", ""},
};

static void test_cgroup_paths(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cg_case *c = &cases[i];
		struct netns_label l;
		bool named = netns_label_cgroup_path(c->path, &l);

		print_message("%s\n", c->path);
		assert_int_equal(named, c->kind != NETNS_KIND_NONE);
		assert_int_equal(l.kind, c->kind);
		if (named) {
			assert_string_equal(l.text, c->text);
		}
		assert_string_equal(l.container, c->container);
		assert_string_equal(l.pod, c->pod);
		assert_string_equal(l.unit, c->unit);
	}
}

static void test_cgroup_file(void **unused)
{
	struct netns_label l;

	(void)unused;
	/* cgroup v2 */
	assert_true(netns_label_cgroup_file(
	    "0::/system.slice/docker-" ID64 ".scope\n", &l));
	assert_string_equal(l.text, "docker:0123456789ab");
	/* v1 name=systemd, v2 line at the root (hybrid) */
	assert_true(netns_label_cgroup_file(
	    "12:memory:/docker/" ID64 "\n"
	    "1:name=systemd:/system.slice/redis.service\n0::/\n",
	    &l));
	assert_int_equal(l.kind, NETNS_KIND_SERVICE);
	assert_string_equal(l.text, "redis.service");
	/* v1 only, docker's cgroupfs driver under name=systemd */
	assert_true(
	    netns_label_cgroup_file("1:name=systemd:/docker/" ID64, &l));
	assert_string_equal(l.text, "docker:0123456789ab");
	/* the better of the two: a container beats a service */
	assert_true(netns_label_cgroup_file(
	    "1:name=systemd:/system.slice/a.service\n"
	    "0::/system.slice/cri-containerd-" ID64 ".scope\n",
	    &l));
	assert_int_equal(l.kind, NETNS_KIND_CONTAINER);
	/* other controllers never name it */
	assert_false(netns_label_cgroup_file(
	    "4:memory:/system.slice/b.service\n0::/\n", &l));
	assert_int_equal(l.kind, NETNS_KIND_NONE);
	assert_false(netns_label_cgroup_file("", &l));
	assert_false(netns_label_cgroup_file("garbage\n::\n0:", &l));
}

static void test_kinds(void **unused)
{
	(void)unused;
	assert_string_equal(netns_kind_name(NETNS_KIND_NAMED), "named");
	assert_string_equal(netns_kind_name(NETNS_KIND_CONTAINER), "container");
	assert_string_equal(netns_kind_name(NETNS_KIND_POD), "pod");
	assert_string_equal(netns_kind_name(NETNS_KIND_SERVICE), "service");
	assert_string_equal(netns_kind_name(NETNS_KIND_PROCESS), "process");
	assert_true(netns_kind_rank(NETNS_KIND_NAMED) <
		    netns_kind_rank(NETNS_KIND_CONTAINER));
	assert_int_equal(netns_kind_rank(NETNS_KIND_POD),
			 netns_kind_rank(NETNS_KIND_CONTAINER));
	assert_true(netns_kind_rank(NETNS_KIND_SERVICE) <
		    netns_kind_rank(NETNS_KIND_PROCESS));
}

/* One namespace through several files: one entry, the best label. */
static void test_set_merge(void **unused)
{
	struct netns_set s = {0};
	struct netns_label proc, svc, named;
	bool merged;

	(void)unused;
	netns_label_set(&proc, NETNS_KIND_PROCESS, "pid:40 sleep");
	netns_label_set(&svc, NETNS_KIND_SERVICE, "a.service");
	netns_label_set(&named, NETNS_KIND_NAMED, "web");
	assert_int_equal(
	    netns_set_add(&s, 3, 100, "/proc/40/ns/net", 40, &proc, &merged),
	    0);
	assert_false(merged);
	assert_true(s.v[0].path_is_proc);
	assert_int_equal(
	    netns_set_add(&s, 3, 200, "/proc/41/ns/net", 41, &proc, &merged),
	    1);
	assert_int_equal(
	    netns_set_add(&s, 3, 100, "/proc/50/ns/net", 50, &svc, &merged), 0);
	assert_true(merged);
	assert_string_equal(s.v[0].label.text, "a.service");
	assert_int_equal(s.v[0].pid, 50);
	/* A worse label changes nothing; a mount path replaces /proc's. */
	netns_set_add(&s, 3, 100, "/run/x/ns", 0, &proc, &merged);
	assert_string_equal(s.v[0].label.text, "a.service");
	assert_string_equal(s.v[0].path, "/run/x/ns");
	assert_false(s.v[0].path_is_proc);
	netns_set_add(&s, 3, 100, "/run/netns/web", 0, &named, &merged);
	assert_string_equal(s.v[0].label.text, "web");
	/* same inode, other device: another namespace */
	netns_set_add(&s, 4, 100, "/proc/60/ns/net", 60, &proc, &merged);
	assert_false(merged);
	assert_int_equal(s.n, 3);
	netns_set_sort(&s);
	assert_string_equal(s.v[0].label.text, "web");
	/* one label, one rank: by inode */
	assert_int_equal(s.v[2].ino, 200);
	assert_ptr_equal(netns_set_find(&s, 4, 100), &s.v[1]);
	assert_null(netns_set_find(&s, 4, 200));
	netns_set_finish(&s);
	assert_int_equal(s.n, 0);
}

static void test_set_match(void **unused)
{
	struct netns_set s = {0};
	struct netns_label a, b, c;
	bool merged;

	(void)unused;
	assert_true(
	    netns_label_cgroup_path("/system.slice/docker-" ID64 ".scope", &a));
	assert_true(netns_label_cgroup_path(
	    "/system.slice/docker-0123ffffffffffffffff.scope", &b));
	assert_true(netns_label_cgroup_path("/system.slice/nginx.service", &c));
	netns_set_add(&s, 1, 1, "/p/1", 1, &a, &merged);
	netns_set_add(&s, 1, 2, "/p/2", 2, &b, &merged);
	netns_set_add(&s, 1, 3, "/p/3", 3, &c, &merged);
	assert_ptr_equal(netns_set_match(&s, "01234567"), &s.v[0]);
	assert_ptr_equal(netns_set_match(&s, ID64), &s.v[0]);
	assert_ptr_equal(netns_set_match(&s, "docker:0123ffffffff"), &s.v[1]);
	assert_ptr_equal(netns_set_match(&s, "nginx.service"), &s.v[2]);
	assert_null(netns_set_match(&s, "0123"));
	assert_int_equal(errno, EEXIST);
	assert_null(netns_set_match(&s, "nginx"));
	assert_int_equal(errno, ENOENT);
	assert_null(netns_set_match(&s, "fff"));
	assert_int_equal(errno, ENOENT);
	/* Longer than the 12 kept: a full id, not the 12 and anything. */
	assert_null(netns_set_match(&s, "0123456789abXYZ"));
	assert_int_equal(errno, ENOENT);
	assert_null(netns_set_match(&s, "0123456789ab-"));
	assert_int_equal(errno, ENOENT);
	netns_set_finish(&s);
}

static void put(const char *root, const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *root, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void hardlink(const char *root, const char *from, const char *to)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "%s/%s", root, from);
	snprintf(b, sizeof(b), "%s/%s", root, to);
	assert_int_equal(link(a, b), 0);
}

static void process(const char *root, int pid, const char *comm,
		    const char *cgroup)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "proc/%d", pid);
	dir(root, rel);
	snprintf(rel, sizeof(rel), "proc/%d/ns", pid);
	dir(root, rel);
	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	put(root, rel, comm);
	snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
	put(root, rel, cgroup);
}

/* A root without /proc fails, and leaves nothing for its caller to free
 * (summary and advise --all-netns return at once). */
static void test_discover_fails_empty(void **unused)
{
	struct netns_set s;

	(void)unused;
	assert_int_equal(netns_discover(&s, "/nonexistent-sockscope-root"),
			 -ENOENT);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

/*
 * A fixture root: the identity of a file is (st_dev, st_ino), so hard
 * links stand in for one namespace reached through several paths. Every
 * source: /run/netns and /var/run/netns (a directory of its own, not a
 * link to /run), a runtime's directory, rootless podman's
 * /run/user/UID/netns, nsfs mounts in mountinfo (a path with a space,
 * written \040 there), and /proc/PID/ns/net.
 */
static void test_discover_fixture(void **unused)
{
	char root[] = "/tmp/sockscope-nsfind-XXXXXX";
	struct netns_set s;
	char cmd[128], user[256];
	size_t n = 0;

	(void)unused;
	assert_non_null(mkdtemp(root));
	dir(root, "proc");
	dir(root, "run");
	dir(root, "run/netns");
	dir(root, "run/docker");
	dir(root, "run/docker/netns");
	dir(root, "var");
	dir(root, "var/run");
	dir(root, "var/run/netns");
	dir(root, "run/user");
	dir(root, "run/user/1000");
	dir(root, "run/user/1000/netns");
	put(root, "run/netns/web", "");
	put(root, "var/run/netns/db", "");
	put(root, "run/docker/netns/1a2b3c", "");
	put(root, "run/user/1000/netns/netns-5e6f", "");
	put(root, "run/my ns", "");
	put(root, "bind", "");
	process(root, 10, "nginx\n",
		"0::/system.slice/docker-" ID64 ".scope\n");
	process(root, 11, "sleep\n", "0::/user.slice/session-2.scope\n");
	process(root, 12, "redis\n", "0::/system.slice/redis.service\n");
	process(root, 13, "worker\n", "0::/system.slice/redis.service\n");
	process(root, 14, "py\n", "0::/system.slice/x.service\n");
	/* 10 in docker's mount; 11 alone; 12 and 13 share one; 14 in web */
	hardlink(root, "run/docker/netns/1a2b3c", "proc/10/ns/net");
	put(root, "proc/11/ns/net", "");
	put(root, "proc/12/ns/net", "");
	hardlink(root, "proc/12/ns/net", "proc/13/ns/net");
	hardlink(root, "run/netns/web", "proc/14/ns/net");
	/* a process gone between readdir and stat: no ns/net */
	dir(root, "proc/15");
	dir(root, "proc/self");
	/* an nsfs mount of a network namespace (its path escaped), one of
	 * a mount namespace and a tmpfs: only the first is one */
	put(root, "proc/self/mountinfo",
	    "25 1 0:22 / /run rw,nosuid shared:5 - tmpfs tmpfs rw\n"
	    "36 25 0:4 net:[4026532000] /run/my\\040ns rw shared:9 - nsfs "
	    "nsfs rw\n"
	    "37 25 0:4 mnt:[4026532001] /bind rw - nsfs nsfs rw\n");
	/* plain processes in the mounted and in the user's namespace */
	process(root, 16, "ping\n", "0::/user.slice/session-2.scope\n");
	process(root, 17, "slirp\n", "0::/user.slice/session-2.scope\n");
	hardlink(root, "run/my ns", "proc/16/ns/net");
	hardlink(root, "run/user/1000/netns/netns-5e6f", "proc/17/ns/net");

	assert_int_equal(netns_discover(&s, root), 0);
	netns_set_sort(&s);
	/* the current namespace, db, web, docker, redis, the two paths,
	 * pid 11 */
	for (size_t i = 0; i < s.n; i++) {
		print_message("%s %s\n", netns_kind_name(s.v[i].label.kind),
			      s.v[i].label.text);
	}
	assert_int_equal(s.n, 8);
	assert_int_equal(s.v[n].label.kind, NETNS_KIND_CURRENT);
	assert_string_equal(s.v[++n].label.text, "db");
	assert_int_equal(s.v[n].label.kind, NETNS_KIND_NAMED);
	assert_string_equal(s.v[++n].label.text, "web");
	assert_int_equal(s.v[n].pid, 14);
	assert_string_equal(s.v[++n].label.text, "docker:0123456789ab");
	assert_int_equal(s.v[n].pid, 10);
	assert_false(s.v[n].path_is_proc);
	assert_string_equal(s.v[++n].label.text, "redis.service");
	assert_int_equal(s.v[n].pid, 12);
	assert_true(s.v[n].path_is_proc);
	/* mountinfo's path, unescaped, is the label */
	assert_string_equal(s.v[++n].label.text, "/run/my ns");
	assert_int_equal(s.v[n].label.kind, NETNS_KIND_MOUNT);
	assert_int_equal(s.v[n].pid, 16); /* a process inside, if plain */
	assert_false(s.v[n].path_is_proc);
	snprintf(user, sizeof(user), "%s/run/user/1000/netns/netns-5e6f", root);
	assert_string_equal(s.v[++n].label.text, user);
	assert_int_equal(s.v[n].label.kind, NETNS_KIND_MOUNT);
	assert_int_equal(s.v[n].pid, 17);
	assert_string_equal(s.v[++n].label.text, "pid:11 sleep");
	assert_int_equal(s.v[n].label.kind, NETNS_KIND_PROCESS);
	assert_int_equal(s.unreadable, 0);
	netns_set_finish(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *p = text; p && *p;
	     p = strchr(p, '\n'), p = p ? p + 1 : p) {
		n += !strncmp(p, prefix, strlen(prefix));
	}
	return n;
}

/*
 * A namespace is entered only if the file opened is the namespace found:
 * /proc/PID/ns/net of a pid reused by a process elsewhere is another
 * namespace (-N LABEL resolves a label to a pid, then opens the file).
 */
static void test_entry_enter_checks_identity(void **unused)
{
	static char self[] = "/proc/self/ns/net",
		    gone[] = "/proc/999999999/ns/net";
	struct netns_entry e = {.path = self, .path_is_proc = true};
	struct stat st;

	(void)unused;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	e.dev = (uint64_t)st.st_dev;
	e.ino = (uint64_t)st.st_ino + 1; /* another namespace's identity */
	assert_int_equal(netns_entry_enter(&e), 1);
	e.ino = (uint64_t)st.st_ino;
	e.dev = (uint64_t)st.st_dev + 1;
	assert_int_equal(netns_entry_enter(&e), 1);
	/* A process that exited: gone, not an error. */
	e.path = gone;
	assert_int_equal(netns_entry_enter(&e), 1);
	/* Its own: entered (setns needs CAP_SYS_ADMIN). */
	e.path = self;
	e.dev = (uint64_t)st.st_dev;
	assert_int_equal(netns_entry_enter(&e), geteuid() == 0 ? 0 : -EPERM);
}

/*
 * Prometheus across namespaces: one label set each, container and pod
 * labels where known, and past PROM_NETNS_MAX the rest added up under
 * netns="_other" (the documented bound on cardinality).
 */
static void test_prom_netns_bounded(void **unused)
{
	size_t n = PROM_NETNS_MAX + 2;
	struct prom_netns_row *rows = calloc(n, sizeof(*rows));
	struct netns_label *l = calloc(n, sizeof(*l));
	FILE *f = tmpfile();
	struct obuf ob;
	char *text;
	long len;

	(void)unused;
	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "pid:%zu x", i + 1);
		netns_label_set(&l[i], NETNS_KIND_PROCESS, name);
		rows[i].label = &l[i];
		rows[i].states.tcp[0][SS_LISTEN] = 1;
	}
	assert_true(
	    netns_label_cgroup_path("/kubepods/pod" UID "/" ID64, &l[0]));
	rows[n - 1].fill_max = 0.5;
	obuf_init(&ob, fileno(f), 1 << 16);
	prom_netns(&ob, rows, n, PROTO_TCP, true);
	assert_int_equal(obuf_finish(&ob), 0);
	len = ftell(f);
	text = calloc(1, (size_t)len + 1);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	assert_int_equal(count_lines(text, "sockscope_netns_info{"),
			 PROM_NETNS_MAX + 1);
	assert_int_equal(count_lines(text, "# TYPE sockscope_sockets "), 1);
	assert_non_null(strstr(text, "sockscope_sockets{netns=\"_other\","
				     "netid=\"tcp\",family=\"inet\","
				     "state=\"listen\"} 2\n"));
	assert_non_null(strstr(
	    text, "sockscope_listen_queue_max_fill_ratio{netns=\"_other\"} "
		  "0.500000\n"));
	assert_non_null(strstr(text, "sockscope_sockets{netns=\"pod:" UID
				     " 0123456789ab\",container=\"0123456789ab"
				     "\",pod=\"" UID "\",netid=\"tcp\","));
	assert_non_null(strstr(text, "sockscope_netns_info{netns=\"pid:2 x\","
				     "kind=\"process\"} 1\n"));
	assert_non_null(strstr(text, "sockscope_advice_worst_severity{netns="
				     "\"pid:2 x\"} 0\n"));
	free(text);
	fclose(f);
	free(rows);
	free(l);
}

/* What an obuf wrote to f, NUL-terminated; caller frees. */
static char *file_text(FILE *f)
{
	long len = ftell(f);
	char *text = calloc(1, (size_t)len + 1);

	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	return text;
}

/*
 * The listing's Prometheus (sockscope --all-netns --format prometheus)
 * keeps summary's bound: PROM_NETNS_MAX label sets, the rest under
 * netns="_other"; a namespace walked without a row is 0s, not absent.
 */
static void test_prom_list_bounded(void **unused)
{
	size_t n = PROM_NETNS_MAX + 2;
	struct netns_entry *e = calloc(n, sizeof(*e));
	struct opts o = {
	    .all_netns = true, .protocols = PROTO_TCP, .families = FAM_INET};
	const struct sock_rec listen = {
	    .family = AF_INET, .protocol = IPPROTO_TCP, .state = SS_LISTEN};
	FILE *f = tmpfile();
	struct obuf ob;
	struct fmt_ctx ctx = {.out = &ob, .o = &o};
	char *text, want[160];

	(void)unused;
	assert_non_null(f);
	obuf_init(&ob, fileno(f), 1 << 16);
	fmt_prom.begin(&ctx);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "pid:%zu x", i + 1);
		netns_label_set(&e[i].label,
				i ? NETNS_KIND_PROCESS : NETNS_KIND_CURRENT,
				i ? name : "-");
		ctx.netns = i ? e[i].label.text : NULL;
		ctx.ns_entry = &e[i];
		fmt_prom.netns(&ctx);
		/* pid:2's namespace has no row; the others one listener */
		for (size_t r = 0; r < (i == 1 ? 0 : 1); r++) {
			fmt_prom.row(&ctx, &listen);
		}
	}
	fmt_prom.end(&ctx);
	assert_int_equal(obuf_finish(&ob), 0);
	text = file_text(f);
	assert_int_equal(count_lines(text, "sockscope_selected_sockets{"),
			 (PROM_NETNS_MAX + 1) * 11);
	assert_int_equal(count_lines(text, "# TYPE sockscope_selected_sock"),
			 1);
	assert_non_null(strstr(text, "sockscope_selected_sockets{netns=\"-\","
				     "netid=\"tcp\",family=\"inet\","
				     "state=\"listen\"} 1\n"));
	assert_non_null(strstr(text, "sockscope_selected_sockets{netns=\"pid:2 "
				     "x\",netid=\"tcp\",family=\"inet\","
				     "state=\"listen\"} 0\n"));
	/* the last with its own labels; the two after it folded */
	snprintf(want, sizeof(want),
		 "sockscope_selected_sockets{netns=\"pid:%d x\",netid=\"tcp\","
		 "family=\"inet\",state=\"listen\"} 1\n",
		 PROM_NETNS_MAX);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "sockscope_selected_sockets{netns=\""
				     "_other\",netid=\"tcp\",family=\"inet"
				     "\",state=\"listen\"} 2\n"));
	for (int i = PROM_NETNS_MAX + 1; i <= PROM_NETNS_MAX + 2; i++) {
		snprintf(want, sizeof(want), "netns=\"pid:%d x\"", i);
		assert_null(strstr(text, want));
	}
	free(text);
	fclose(f);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cgroup_paths),
	    cmocka_unit_test(test_cgroup_file),
	    cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_set_merge),
	    cmocka_unit_test(test_set_match),
	    cmocka_unit_test(test_entry_enter_checks_identity),
	    cmocka_unit_test(test_discover_fixture),
	    cmocka_unit_test(test_discover_fails_empty),
	    cmocka_unit_test(test_prom_netns_bounded),
	    cmocka_unit_test(test_prom_list_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
