// SPDX-License-Identifier: MIT
#include "netns_label.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

static const char *const kind_names[] = {
    [NETNS_KIND_CURRENT] = "current",	  [NETNS_KIND_NAMED] = "named",
    [NETNS_KIND_CONTAINER] = "container", [NETNS_KIND_POD] = "pod",
    [NETNS_KIND_SERVICE] = "service",	  [NETNS_KIND_MOUNT] = "path",
    [NETNS_KIND_PROCESS] = "process",	  [NETNS_KIND_NONE] = "none",
};

/* A pod is a container seen from Kubernetes: the two rank alike. */
static const int kind_ranks[] = {
    [NETNS_KIND_CURRENT] = 0,	[NETNS_KIND_NAMED] = 1,
    [NETNS_KIND_CONTAINER] = 2, [NETNS_KIND_POD] = 2,
    [NETNS_KIND_SERVICE] = 3,	[NETNS_KIND_MOUNT] = 4,
    [NETNS_KIND_PROCESS] = 5,	[NETNS_KIND_NONE] = 6,
};

const char *netns_kind_name(enum netns_kind kind)
{
	return (unsigned int)kind < ARRAY_SIZE(kind_names) ? kind_names[kind]
							   : "none";
}

int netns_kind_rank(enum netns_kind kind)
{
	return (unsigned int)kind < ARRAY_SIZE(kind_ranks) ? kind_ranks[kind]
							   : 6;
}

/*
 * Container scopes, as each runtime names them under systemd (and, with
 * no suffix, under cgroupfs). The conmon scopes of CRI-O and podman
 * ("crio-conmon-<id>") fail the hex test: they are not the container.
 */
static const struct scope_pattern {
	const char *prefix;
	const char *runtime;
} scopes[] = {
    {"docker-", "docker"},
    {"cri-containerd-", "containerd"},
    {"crio-", "crio"},
    {"libpod-", "podman"},
};

#define MIN_ID_LEN  12
#define FULL_ID_LEN 64

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strchr("0123456789abcdef", s[i]) || !s[i]) {
			return false;
		}
	}
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* The container one component names: its runtime (may be "") and id. */
static bool component_container(const char *c, size_t n, const char *parent,
				size_t pn, bool in_pod, struct netns_label *out)
{
	size_t len = ends_with(c, n, ".scope") ? n - 6 : n;

	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++) {
		size_t k = strlen(scopes[i].prefix);

		if (len >= k + MIN_ID_LEN && !memcmp(c, scopes[i].prefix, k) &&
		    all_hex(c + k, len - k)) {
			snprintf(out->runtime, sizeof(out->runtime), "%s",
				 scopes[i].runtime);
			snprintf(out->container, sizeof(out->container), "%.*s",
				 NETNS_ID_LEN, c + k);
			return true;
		}
	}
	/* cgroupfs drivers: /docker/<id>, /kubepods/.../pod<uid>/<id>. */
	if (n == FULL_ID_LEN && all_hex(c, n) &&
	    ((pn == 6 && !memcmp(parent, "docker", 6)) || in_pod)) {
		snprintf(out->runtime, sizeof(out->runtime), "%s",
			 in_pod ? "" : "docker");
		snprintf(out->container, sizeof(out->container), "%.*s",
			 NETNS_ID_LEN, c);
		return true;
	}
	return false;
}

/*
 * The pod uid of a component: "pod<uid>" (cgroupfs) or
 * "kubepods[-<qos>]-pod<uid_with_underscores>.slice" (systemd), the uid
 * written with dashes. Only under a kubepods ancestor (in_kube).
 */
static bool component_pod(const char *c, size_t n, struct netns_label *out)
{
	const char *u;
	size_t un;

	if (n > 3 && !memcmp(c, "pod", 3)) {
		u = c + 3;
		un = n - 3;
	} else if (n > 8 && !memcmp(c, "kubepods", 8) &&
		   ends_with(c, n, ".slice")) {
		const char *p = NULL;

		for (const char *q = c; q + 4 <= c + n - 6; q++) {
			if (!memcmp(q, "-pod", 4)) {
				p = q;
			}
		}
		if (!p) {
			return false;
		}
		u = p + 4;
		un = (size_t)(c + n - 6 - u);
	} else {
		return false;
	}
	if (!un || un >= sizeof(out->pod)) {
		return false;
	}
	for (size_t i = 0; i < un; i++) {
		if (!strchr("0123456789abcdef-_", u[i]) || !u[i]) {
			return false;
		}
		out->pod[i] = u[i] == '_' ? '-' : u[i];
	}
	out->pod[un] = '\0';
	return true;
}

/* The components of path, at most max; returns how many. */
static size_t split(const char *path, const char **c, size_t *len, size_t max)
{
	size_t n = 0;

	while (*path && n < max) {
		size_t k;

		path += strspn(path, "/");
		k = strcspn(path, "/");
		if (k) {
			c[n] = path;
			len[n++] = k;
		}
		path += k;
	}
	return n;
}

static void compose(struct netns_label *out)
{
	if (out->pod[0]) {
		out->kind = NETNS_KIND_POD;
		snprintf(out->text, sizeof(out->text), "pod:%s%s%s", out->pod,
			 out->container[0] ? " " : "", out->container);
	} else if (out->container[0]) {
		out->kind = NETNS_KIND_CONTAINER;
		snprintf(out->text, sizeof(out->text), "%s:%s", out->runtime,
			 out->container);
	} else if (out->unit[0]) {
		out->kind = NETNS_KIND_SERVICE;
		snprintf(out->text, sizeof(out->text), "%s", out->unit);
	}
}

bool netns_label_cgroup_path(const char *path, struct netns_label *out)
{
	const char *c[64];
	size_t len[64];
	size_t n = split(path, c, len, ARRAY_SIZE(c));
	size_t kube = n; /* index of the first kubepods component */

	memset(out, 0, sizeof(*out));
	out->kind = NETNS_KIND_NONE;
	for (size_t i = 0; i < n && kube == n; i++) {
		if (len[i] >= 8 && !memcmp(c[i], "kubepods", 8)) {
			kube = i;
		}
	}
	for (size_t i = kube + 1; i < n && !out->pod[0]; i++) {
		component_pod(c[i], len[i], out);
	}
	if (kube < n && !out->pod[0]) {
		component_pod(c[kube], len[kube], out);
	}
	for (size_t i = n; i-- > 0;) {
		if (component_container(c[i], len[i], i ? c[i - 1] : "",
					i ? len[i - 1] : 0,
					out->pod[0] && i > kube, out)) {
			break;
		}
	}
	for (size_t i = n; i-- > 0 && !out->container[0];) {
		if (ends_with(c[i], len[i], ".service") &&
		    len[i] < sizeof(out->unit)) {
			memcpy(out->unit, c[i], len[i]);
			out->unit[len[i]] = '\0';
			break;
		}
	}
	compose(out);
	return out->kind != NETNS_KIND_NONE;
}

bool netns_label_cgroup_file(const char *text, struct netns_label *out)
{
	struct netns_label best = {.kind = NETNS_KIND_NONE};
	char path[4096];

	while (*text) {
		size_t k = strcspn(text, "\n");
		const char *colon = memchr(text, ':', k);
		const char *ctl = colon ? colon + 1 : NULL;
		const char *c2 =
		    ctl ? memchr(ctl, ':', k - (size_t)(ctl - text)) : NULL;

		/* "0::PATH" (v2) or "N:name=systemd:PATH" (v1). */
		if (c2 && ((c2 == ctl && colon == text + 1 && text[0] == '0') ||
			   ((size_t)(c2 - ctl) == 12 &&
			    !memcmp(ctl, "name=systemd", 12)))) {
			size_t pn = k - (size_t)(c2 + 1 - text);
			struct netns_label l;

			if (pn < sizeof(path)) {
				memcpy(path, c2 + 1, pn);
				path[pn] = '\0';
				if (netns_label_cgroup_path(path, &l) &&
				    netns_kind_rank(l.kind) <
					netns_kind_rank(best.kind)) {
					best = l;
				}
			}
		}
		text += k + (text[k] == '\n');
	}
	*out = best;
	return best.kind != NETNS_KIND_NONE;
}

void netns_label_set(struct netns_label *out, enum netns_kind kind,
		     const char *text)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	snprintf(out->text, sizeof(out->text), "%s", text);
}

int netns_label_pid(const char *root, pid_t pid, struct netns_label *out)
{
	char rel[64], buf[8192], comm[64];
	long n;

	snprintf(rel, sizeof(rel), "proc/%d/cgroup", (int)pid);
	n = root_read_file(root, rel, buf, sizeof(buf));
	if (n >= 0) {
		buf[n] = '\0';
		if (netns_label_cgroup_file(buf, out)) {
			return 0;
		}
	}
	snprintf(rel, sizeof(rel), "proc/%d/comm", (int)pid);
	n = root_read_file(root, rel, comm, sizeof(comm));
	if (n < 0) {
		return (int)n;
	}
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	memset(out, 0, sizeof(*out));
	out->kind = NETNS_KIND_PROCESS;
	snprintf(out->text, sizeof(out->text), "pid:%d %s", (int)pid, comm);
	return 0;
}
