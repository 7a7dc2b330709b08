// SPDX-License-Identifier: MIT
/*
 * The live table comes from sockscope-nl.so (ifname_nl.c, libnl-route),
 * loaded at its first lookup; saved tables and their records are here.
 */
#include "ifname.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ifname_mod.h"
#include "util.h"

/* One device in a saved record (the attribute's payload). */
struct saved_link {
	uint32_t ifindex;
	char name[IFNAME_BUFLEN];
};

#define ATTR_LINK 1
/* Devices per record: keeps each message far below a loader's limit. */
#define LINKS_PER_RECORD 256

struct ifnames {
	const struct ifname_mod *mod;
	struct ifname_links *links;
	bool tried;
	bool saved; /* names only from saved records */
	struct saved_link *e;
	size_t n, cap;
};

struct ifnames *ifnames_create(void)
{
	return xcalloc(1, sizeof(struct ifnames));
}

static void drop_live(struct ifnames *ifn)
{
	if (ifn->links) {
		ifn->mod->close(ifn->links);
		ifn->links = NULL;
	}
}

void ifnames_destroy(struct ifnames *ifn)
{
	if (!ifn) {
		return;
	}
	drop_live(ifn);
	free(ifn->e);
	free(ifn);
}

void ifnames_use_saved(struct ifnames *ifn)
{
	drop_live(ifn);
	ifn->tried = true;
	ifn->saved = true;
	ifn->n = 0;
}

/*
 * A module that does not load is a table that cannot be read, silently, as
 * when the dump fails: the names read "if<index>", as in ss without them.
 */
static void load_links(struct ifnames *ifn)
{
	char why[MODULE_ERRLEN];

	ifn->tried = true;
	ifn->mod = module_load(IFNAME_MOD_FILE, IFNAME_MOD_SYMBOL,
			       sizeof(*ifn->mod), why);
	if (ifn->mod) {
		ifn->links = ifn->mod->open();
	}
}

const char *ifnames_lookup(struct ifnames *ifn, uint32_t ifindex,
			   char buf[IFNAME_BUFLEN])
{
	if (ifn->saved) {
		for (size_t i = 0; i < ifn->n; i++) {
			if (ifn->e[i].ifindex == ifindex) {
				memcpy(buf, ifn->e[i].name, IFNAME_BUFLEN);
				return buf;
			}
		}
		return NULL;
	}
	if (!ifn->tried) {
		load_links(ifn);
	}
	if (ifn->links && ifn->mod->name(ifn->links, ifindex, buf)) {
		return buf;
	}
	return NULL;
}

const char *ifnames_get(struct ifnames *ifn, uint32_t ifindex,
			char buf[IFNAME_BUFLEN])
{
	if (ifnames_lookup(ifn, ifindex, buf)) {
		return buf;
	}
	snprintf(buf, IFNAME_BUFLEN, "if%u", ifindex);
	return buf;
}

uint32_t ifnames_index(struct ifnames *ifn, const char *name)
{
	if (strlen(name) >= IFNAME_BUFLEN) {
		return 0;
	}
	if (!ifn || !ifn->saved) {
		return if_nametoindex(name);
	}
	for (size_t i = 0; i < ifn->n; i++) {
		if (!strcmp(ifn->e[i].name, name)) {
			return ifn->e[i].ifindex;
		}
	}
	return 0;
}

uint32_t ifnames_index_fn(void *ifn, const char *name)
{
	return ifnames_index(ifn, name);
}

static void add_saved(struct ifnames *ifn, const struct saved_link *l)
{
	if (ifn->n == ifn->cap) {
		ifn->cap = ifn->cap ? ifn->cap * 2 : 16;
		ifn->e = xrealloc(ifn->e, ifn->cap * sizeof(*ifn->e));
	}
	ifn->e[ifn->n++] = *l;
}

static int write_record(int fd, char *buf, struct nlmsghdr *nlh)
{
	const char *p = buf;
	size_t left = nlh->nlmsg_len;

	while (left) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return w < 0 ? -errno : -EIO;
		}
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

static struct nlmsghdr *start_record(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = NLMSG_NOOP;
	memcpy(mnl_nlmsg_put_extra_header(nlh, 8), IFNAMES_MAGIC, 8);
	return nlh;
}

/* Records being written: LINKS_PER_RECORD devices a message. */
struct saver {
	int fd;
	char *buf;
	size_t cap;
	struct nlmsghdr *nlh;
	size_t in_msg;
};

static int save_link(uint32_t ifindex, const char *name, void *data)
{
	struct saver *sv = data;
	struct saved_link l = {.ifindex = ifindex};
	int err;

	strcpy(l.name, name); /* the module passes names that fit */
	mnl_attr_put(sv->nlh, ATTR_LINK, sizeof(l), &l);
	if (++sv->in_msg < LINKS_PER_RECORD) {
		return 0;
	}
	err = write_record(sv->fd, sv->buf, sv->nlh);
	memset(sv->buf, 0, sv->cap);
	sv->nlh = start_record(sv->buf);
	sv->in_msg = 0;
	return err;
}

/* The live table of the current namespace. */
static int save_links(const struct ifnames *ifn, int fd)
{
	struct saver sv = {
	    .fd = fd,
	    .cap = MNL_NLMSG_HDRLEN + 8 +
		   LINKS_PER_RECORD *
		       MNL_ALIGN(MNL_ATTR_HDRLEN + sizeof(struct saved_link)),
	};
	int err;

	sv.buf = xcalloc(1, sv.cap);
	sv.nlh = start_record(sv.buf);
	err = ifn->mod->each(ifn->links, save_link, &sv);
	if (!err && sv.in_msg) {
		err = write_record(fd, sv.buf, sv.nlh);
	}
	free(sv.buf);
	return err;
}

int ifnames_save(int fd)
{
	struct ifnames *ifn = ifnames_create();
	int err = 0;

	load_links(ifn);
	if (ifn->links) {
		err = save_links(ifn, fd);
	}
	ifnames_destroy(ifn);
	return err;
}

int ifnames_load_record(struct ifnames *ifn, const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_type != NLMSG_NOOP ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + 8 ||
	    memcmp(mnl_nlmsg_get_payload(nlh), IFNAMES_MAGIC, 8)) {
		return -ENOMSG;
	}
	mnl_attr_for_each(attr, nlh, 8)
	{
		struct saved_link l;

		if (mnl_attr_get_type(attr) != ATTR_LINK ||
		    mnl_attr_get_payload_len(attr) != sizeof(l)) {
			return -EBADMSG;
		}
		memcpy(&l, mnl_attr_get_payload(attr), sizeof(l));
		if (!memchr(l.name, '\0', sizeof(l.name))) {
			return -EBADMSG;
		}
		add_saved(ifn, &l);
	}
	/* mnl_attr_for_each stops at the first attribute that does not fit. */
	if ((const void *)attr != mnl_nlmsg_get_payload_tail(nlh)) {
		return -EBADMSG;
	}
	return 0;
}
