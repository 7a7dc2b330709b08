/*
 * netns_label.h - what a network namespace is called: its /run/netns name,
 * the container, pod or systemd unit its processes' cgroup names, or a
 * process in it. Classifying a cgroup path is pure (no I/O); reading a
 * process's /proc/PID/cgroup and comm is netns_label_pid()'s.
 *
 * Labels are raw bytes a process may choose (unit and cgroup names): print
 * them escaped (escape_text, obuf_json_string, obuf_prom_label).
 */
#ifndef SOCKSCOPE_NETNS_LABEL_H
#define SOCKSCOPE_NETNS_LABEL_H

#include <stdbool.h>
#include <sys/types.h>

/* In order of preference: a lower kind's label wins (see netns_kind_rank). */
enum netns_kind {
	NETNS_KIND_CURRENT,   /* the namespace sockscope runs in: "-" */
	NETNS_KIND_NAMED,     /* a /run/netns (ip netns) name */
	NETNS_KIND_CONTAINER, /* docker, containerd, CRI-O, podman */
	NETNS_KIND_POD,	      /* a Kubernetes pod (and container) */
	NETNS_KIND_SERVICE,   /* a systemd unit (<unit>.service) */
	NETNS_KIND_MOUNT,     /* a path: a bind mount elsewhere, -N PATH */
	NETNS_KIND_PROCESS,   /* "pid:PID COMM" of a process in it */
	NETNS_KIND_NONE,      /* nothing known yet */
};

#define NETNS_ID_LEN 12 /* container ids as docker prints them */

struct netns_label {
	enum netns_kind kind;
	char text[320];			  /* the label, raw */
	char runtime[16];		  /* "docker", "containerd", ...; "" */
	char container[NETNS_ID_LEN + 1]; /* short container id; "" */
	char pod[64];			  /* pod uid (dashes); "" */
	char unit[256];			  /* "foo.service"; "" */
};

/* "current", "named", "container", "pod", "service", "path", "process",
 * "none": the JSON kind. */
const char *netns_kind_name(enum netns_kind kind);

/* Preference of a kind: smaller wins; container and pod rank alike. */
int netns_kind_rank(enum netns_kind kind);

/*
 * Classify one cgroup path ("/system.slice/docker-<id>.scope", relative
 * to its hierarchy). The deepest component that names a container wins
 * (docker-<id>.scope, /docker/<id>, cri-containerd-<id>.scope,
 * crio-<id>.scope, libpod-<id>.scope, a 64-hex id under a pod); a
 * kubepods pod<uid> component above it makes it a pod; else the deepest
 * <unit>.service. Fills *out and returns true when it names one of those;
 * false (out->kind NETNS_KIND_NONE) otherwise.
 */
bool netns_label_cgroup_path(const char *path, struct netns_label *out);

/*
 * The best label in the text of a /proc/PID/cgroup file: the cgroup v2
 * line ("0::PATH") and the v1 "name=systemd" line, classified; the better
 * of the two. False when neither names anything.
 */
bool netns_label_cgroup_file(const char *text, struct netns_label *out);

/*
 * The label of process pid under root (root/proc/PID/cgroup), or
 * "pid:PID COMM" (kind NETNS_KIND_PROCESS) when its cgroup names nothing.
 * Returns 0, or -errno when neither file could be read.
 */
int netns_label_pid(const char *root, pid_t pid, struct netns_label *out);

/* Set *out to a plain label of this kind and text. */
void netns_label_set(struct netns_label *out, enum netns_kind kind,
		     const char *text);

#endif
