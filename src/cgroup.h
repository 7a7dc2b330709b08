/*
 * cgroup.h - cgroup v2 id -> path, for -e (INET_DIAG_CGROUP_ID).
 *
 * cgroups_build() walks the cgroup2 hierarchy under root/sys/fs/cgroup
 * once; a cgroup's id is its directory's inode number (kernfs, 64-bit
 * inode numbers). Lookups do no I/O. Paths are relative to the mount
 * ("/system.slice/ssh.service", "/" for the root) and are as untrusted as
 * any name a process may choose: escape them.
 */
#ifndef SOCKSCOPE_CGROUP_H
#define SOCKSCOPE_CGROUP_H

#include <stdint.h>

struct cgroups;

/*
 * The cgroup2 hierarchy: root/sys/fs/cgroup, its "unified" part (hybrid
 * systems), or, with root "/" and neither mounted (`ip netns exec` hides
 * them under a fresh sysfs), a detached mount of our own (needs
 * CAP_SYS_ADMIN). Returns a directory fd (O_CLOEXEC) or -1.
 */
int cgroups_open_mount(const char *root);

/* Always succeeds: *out is empty when there is no readable cgroup2 mount. */
void cgroups_build(const char *root, struct cgroups **out);
void cgroups_destroy(struct cgroups *cg);

/* Path of the cgroup with this id, or NULL (also when cg is NULL). */
const char *cgroups_path(const struct cgroups *cg, uint64_t id);

#endif
