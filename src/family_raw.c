// SPDX-License-Identifier: MIT
/*
 * RAW sockets: inet records of protocol IPPROTO_RAW whose "port" is the IP
 * protocol they carry, as `ss -w` shows them. Read with raw_diag where the
 * kernel has it (acquire.c asks inet_diag for IPPROTO_RAW), else from
 * /proc/net/raw and raw6 as ss does; this file holds that reader, and the
 * registry entry naming the table (family_of() gives inet's for the rows).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "family.h"
#include "opts.h"
#include "util.h"

/* One address as /proc/net prints it: u32 words in host order, hex. */
static int parse_addr(const char *hex, uint8_t family, uint8_t out[16])
{
	size_t words = family == AF_INET ? 1 : 4;

	if (strlen(hex) != words * 8) {
		return -EBADMSG;
	}
	memset(out, 0, 16);
	for (size_t i = 0; i < words; i++) {
		char part[9];
		uint32_t w;
		char *end;

		memcpy(part, hex + i * 8, 8);
		part[8] = '\0';
		w = (uint32_t)strtoul(part, &end, 16);
		if (*end) {
			return -EBADMSG;
		}
		memcpy(out + i * 4, &w, 4);
	}
	return 0;
}

int family_raw_parse_line(const char *line, uint8_t family,
			  struct sock_rec *rec)
{
	char la[33], ra[33];
	unsigned int lp, rp, st, txq, rxq, uid, ino;
	int n = 0;

	if (strstr(line, "local_address")) {
		return 1; /* the header */
	}
	if (sscanf(line,
		   " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x %x:%x "
		   "%*x:%*x %*x %u %*d %u%n",
		   la, &lp, ra, &rp, &st, &txq, &rxq, &uid, &ino, &n) != 9 ||
	    !n || lp > 0xffff || rp > 0xffff || st >= SS_MAX) {
		return -EBADMSG;
	}
	memset(rec, 0, sizeof(*rec));
	if (parse_addr(la, family, rec->saddr) ||
	    parse_addr(ra, family, rec->daddr)) {
		return -EBADMSG;
	}
	rec->family = family;
	rec->protocol = IPPROTO_RAW;
	rec->state = (uint8_t)st;
	rec->v6only = -1;
	rec->sport = (uint16_t)lp;
	rec->dport = (uint16_t)rp;
	rec->send_q = txq;
	rec->recv_q = rxq;
	rec->uid = uid;
	rec->inode = ino;
	return 0;
}

int family_raw_read_proc(const char *root, diag_row_fn fn, void *data,
			 unsigned long *rows)
{
	static const struct {
		const char *file;
		uint8_t family;
	} files[] = {{"raw", AF_INET}, {"raw6", AF_INET6}};
	char path[4096], line[512];
	int err = 0;

	*rows = 0;
	for (size_t i = 0; i < ARRAY_SIZE(files) && !err; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/proc/net/%s",
			 strcmp(root, "/") ? root : "", files[i].file);
		f = fopen(path, "re");
		if (!f) {
			/* raw6 is absent without IPv6. */
			err = i == 0 || errno != ENOENT ? -errno : 0;
			break;
		}
		while (!err && fgets(line, sizeof(line), f)) {
			struct sock_rec rec;
			int r =
			    family_raw_parse_line(line, files[i].family, &rec);

			if (r == 0) {
				++*rows;
				err = fn(&rec, data);
			} else if (r < 0) {
				err = r;
			}
		}
		fclose(f);
	}
	return err;
}

size_t family_raw_proto_name(char *buf, uint8_t protocol)
{
	struct protoent pe, *res = NULL;
	char tmp[1024];

	if (!getprotobynumber_r(protocol, &pe, tmp, sizeof(tmp), &res) && res &&
	    res->p_name) {
		/* /etc/protocols is text someone wrote: escaped. */
		return escape_text(buf, res->p_name,
				   strnlen(res->p_name, RAW_PROTO_NAME_MAX));
	}
	return (size_t)sprintf(buf, "ipproto-%u", protocol);
}

static const struct family_table raw_tables[] = {
    {"raw", PROTO_RAW, IPPROTO_RAW, false, SS_BIT(SS_ESTABLISHED),
     FAMILY_LISTENING},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query raw_queries[] = {
    {"raw", PROTO_RAW},
    {NULL, 0},
};

/* Rows are inet records: only the names, letter and kill's answer are
 * read from this entry; the functions are inet's. */
static const struct family_opt raw_opts[] = {
    {'w', "raw", PROTO_RAW, 0},
    {0, NULL, 0, 0},
};

const struct sock_family family_raw = {
    .name = "raw",
    .af = AF_INET,
    .fam_bits = FAM_INET | FAM_INET6,
    .proto_bits = PROTO_RAW,
    .opts = raw_opts,
    .queries = raw_queries,
    /* raw_diag runs inet_diag's bytecode; /proc's rows are matched
     * in userspace (user_match) */
    .preds = FPRED_ADDR | FPRED_OWNER | FPRED_KERNEL,
    .no_kill = "sockscope does not close RAW sockets (this kernel may "
	       "lack raw_diag: they are read from /proc/net/raw)",
    .tables = raw_tables,
    .dump = FDUMP_TABLE,
    /* ss reads them there when the kernel has no raw_diag */
    .fallback = family_raw_read_proc,
    .fallback_path = "/proc/net/raw",
    .parse = NULL,
    .put_request = NULL,
    .netid = NULL,
    .endpoint = NULL,
    .json = NULL,
};
