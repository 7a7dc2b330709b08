// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for saved dumps: any bytes as the file `--load` reads.
 * Every record the loader accepts goes through what a real listing runs:
 * the filter match and the table, JSON, NDJSON and Prometheus formatters
 * with all detail blocks on (tcp_info, skmem, congestion name from the
 * file). The outputs must stay well-formed: the table and the Prometheus
 * text are printable ASCII lines, the JSON one valid document, the NDJSON
 * one per line. A second table is fitted to a narrow terminal, and the
 * summary (-s) counts every record and has its breakdowns read at the end,
 * then built into a report rendered as table, JSON and Prometheus.
 * The bytes are also given to diag_parse_inet() directly as one message,
 * without the loader's length checks in front.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "diag_parse.h"
#include "filter.h"
#include "format.h"
#include "fuzz.h"
#include "ifname.h"
#include "format_prom.h"
#include "opts.h"
#include "report.h"
#include "summary.h"

/* Filters touching every predicate kind, parsed once. */
static const char *const filter_texts[] = {
    "( sport = :22 or dport > :1024 ) and not src 10.0.0.0/8",
    "dst [::1]/128 or src inet6:*:443 or dev lo or autobound",
    "fwmark 0x10/0xff or cgroup / or sport != * and dport le 80",
};

enum { NFMT = 5, NFILTER = ARRAY_SIZE(filter_texts) };

/* Built on the first input, kept for the process (libFuzzer's model). */
struct env {
	struct opts o;
	struct filter *filters[NFILTER];
};

struct run {
	const struct env *env;
	struct fmt_ctx ctx[NFMT];
	struct obuf out[NFMT];
	int fd[NFMT];
	struct summary *sum;
	unsigned long rows;
	struct ifnames *saved; /* the input's own interface names */
};

/* The last table is fitted to a narrow terminal, as on a tty. */
static const struct fmt_ops *const fmts[NFMT] = {
    &fmt_table, &fmt_json, &fmt_ndjson, &fmt_prom, &fmt_table};
#define NARROW_TABLE 4

static const struct env *env_get(void)
{
	static struct env env;
	static bool ready;

	if (ready) {
		return &env;
	}
	env.o = (struct opts){
	    .protocols = PROTO_TCP | PROTO_UDP,
	    .families = FAM_INET | FAM_INET6,
	    .numeric = true,
	    .timers = true,
	    .extended = true,
	    .skmem = true,
	    .tcp_info = true,
	    .root = "/",
	};
	for (size_t i = 0; i < NFILTER; i++) {
		struct filter_error err;
		const char *t = filter_texts[i];

		FUZZ_ASSERT(filter_parse_text(0, NULL, t, strlen(t),
					      &env.filters[i], &err) == 0);
	}
	ready = true;
	return &env;
}

static int mem_fd(const void *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	FUZZ_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

/* What a format wrote, read back from its memfd (malloc'ed). */
static char *read_back(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *buf;

	FUZZ_ASSERT(end >= 0);
	buf = malloc((size_t)end + 1);
	FUZZ_ASSERT(buf);
	FUZZ_ASSERT(pread(fd, buf, (size_t)end, 0) == end);
	*len = (size_t)end;
	return buf;
}

/* n bytes of p in an allocation of exactly n (NULL stays NULL). */
static void *exact_copy(const void *p, size_t n)
{
	void *q;

	if (!p) {
		return NULL;
	}
	q = malloc(n ? n : 1);
	FUZZ_ASSERT(q);
	memcpy(q, p, n);
	return q;
}

/*
 * The consumers see the record with each ext block moved to an allocation
 * of its exact size: a formatter reading past a block's length is a
 * sanitizer report, not a silent read of the next attribute.
 */
static int row(const struct sock_rec *rec, void *data)
{
	struct run *r = data;
	struct sock_rec c = *rec;

	c.ext.tcp_info = exact_copy(rec->ext.tcp_info, rec->ext.tcp_info_len);
	c.ext.skmem =
	    exact_copy(rec->ext.skmem, rec->ext.skmem_len * sizeof(uint32_t));
	c.ext.cong = exact_copy(rec->ext.cong,
				rec->ext.cong ? strlen(rec->ext.cong) + 1 : 0);
	c.ext.cc_info = exact_copy(rec->ext.cc_info, rec->ext.cc_info_len);
	c.ext.ulp = exact_copy(rec->ext.ulp,
			       rec->ext.ulp ? strlen(rec->ext.ulp) + 1 : 0);
	for (size_t i = 0; i < NFILTER; i++) {
		(void)filter_match(r->env->filters[i], &c);
	}
	for (int i = 0; i < NFMT; i++) {
		fmts[i]->row(&r->ctx[i], &c);
	}
	summary_add(r->sum, &c);
	free((void *)c.ext.tcp_info);
	free((void *)c.ext.skmem);
	free((void *)c.ext.cong);
	free((void *)c.ext.cc_info);
	free((void *)c.ext.ulp);
	r->rows++;
	return 0;
}

static void run_begin(struct run *r)
{
	const struct summary_cfg cfg = {.eph_lo = 32768, .eph_hi = 60999};

	r->sum = summary_create(&cfg);
	/* Names only from the input, as --load shows them. */
	r->saved = ifnames_create();
	ifnames_use_saved(r->saved);
	for (int i = 0; i < NFMT; i++) {
		r->fd[i] = memfd_create("out", MFD_CLOEXEC);
		FUZZ_ASSERT(r->fd[i] >= 0);
		obuf_init(&r->out[i], r->fd[i], 4096);
		r->ctx[i] = (struct fmt_ctx){
		    .out = &r->out[i],
		    .o = &r->env->o,
		    .ifn = r->saved,
		};
		fmts[i]->begin(&r->ctx[i]);
	}
}

/* One JSON document per line, every line ended. */
static bool ndjson_valid(const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t k;

		if (!nl) {
			return false;
		}
		k = (size_t)(nl - s);
		if (!json_valid(s, k)) {
			return false;
		}
		s += k + 1;
		n -= k + 1;
	}
	return true;
}

/* The summary's report through its three renderers, each well-formed. */
static void run_report(struct run *r)
{
	enum { R_TABLE, R_JSON, R_PROM, R_MAX };
	const struct snapshot snap = {
	    .sum = r->sum,
	    .usable_ports = 28232,
	    .have_ports = true,
	    .sys = {.port_lo = 32768, .port_hi = 60999}};
	struct report rep;

	report_build(&rep, &snap, 4, r->env->o.protocols | PROTO_UNIX_MASK);
	for (int k = 0; k < R_MAX; k++) {
		int fd = memfd_create("report", MFD_CLOEXEC);
		struct obuf ob;
		size_t len;
		char *text;

		FUZZ_ASSERT(fd >= 0);
		obuf_init(&ob, fd, 4096);
		if (k == R_TABLE) {
			report_table(&ob, &rep, &r->env->o);
		} else if (k == R_JSON) {
			report_json(&ob, &rep, &r->env->o);
		} else {
			prom_snapshot(&ob, &rep,
				      r->env->o.protocols | PROTO_UNIX_MASK);
		}
		FUZZ_ASSERT(obuf_finish(&ob) == 0);
		text = read_back(fd, &len);
		FUZZ_ASSERT(k == R_JSON ? json_valid(text, len)
					: plain_text(text, len, true));
		free(text);
		close(fd);
	}
	report_finish(&rep);
}

/* Close the formats and check what each one wrote. */
static void run_end(struct run *r)
{
	struct sum_row top[4];
	struct sum_listener lis[4];
	uint32_t cw;

	/* The summary's readers, as -s runs them after the last row. */
	for (int t = 0; t < SUM_TAB_MAX; t++) {
		for (unsigned int col = 0; col < 3; col++) {
			FUZZ_ASSERT(summary_top(r->sum, t, col, top, 4, NULL) <=
				    4);
		}
	}
	FUZZ_ASSERT(summary_listeners(r->sum, lis, 4, NULL) <= 4);
	(void)summary_close_wait_port(r->sum, &cw);
	run_report(r);
	summary_destroy(r->sum);
	for (int i = 0; i < NFMT; i++) {
		size_t len;
		char *text;

		fmts[i]->end(&r->ctx[i]);
		FUZZ_ASSERT(obuf_finish(&r->out[i]) == 0);
		text = read_back(r->fd[i], &len);
		if (fmts[i] == &fmt_json) {
			FUZZ_ASSERT(json_valid(text, len));
		} else if (fmts[i] == &fmt_ndjson) {
			FUZZ_ASSERT(ndjson_valid(text, len));
		} else {
			FUZZ_ASSERT(plain_text(text, len, true));
		}
		free(text);
		close(r->fd[i]);
	}
}

/*
 * The bytes as one message, its length clamped to what is there, in an
 * allocation of exactly that length: reading past the message's end (an
 * attribute trusted beyond its payload) is then a sanitizer report, which
 * inside the loader's large receive buffer it would not be.
 */
static void parse_one(struct run *r, const uint8_t *data, size_t size)
{
	struct nlmsghdr hdr, *nlh;
	struct sock_rec rec;
	size_t len;

	if (size < sizeof(hdr)) {
		return;
	}
	memcpy(&hdr, data, sizeof(hdr));
	len = hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > size
		  ? size
		  : hdr.nlmsg_len;
	nlh = malloc(len); /* malloc'ed: aligned as a receive buffer is */
	FUZZ_ASSERT(nlh);
	memcpy(nlh, data, len);
	nlh->nlmsg_len = (uint32_t)len;
	if (diag_parse_inet(nlh, IPPROTO_TCP, &rec) == 0) {
		row(&rec, r);
	}
	free(nlh);
}

/* A saved interface-name record: parsed, and its names then printed by
 * every format (the table's output is checked for terminal bytes). */
static int note(const struct nlmsghdr *nlh, void *data)
{
	struct run *r = data;
	int err = ifnames_load_record(r->saved, nlh);

	FUZZ_ASSERT(err == 0 || err == -ENOMSG || err == -EBADMSG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {.env = env_get()};
	struct diag_load_err err = {0};
	int fd = mem_fd(data, size);
	int ret;

	run_begin(&r);
	ret = diag_load_notes(fd, row, note, &r, &err);
	close(fd);
	FUZZ_ASSERT(ret == 0 || ret == -EBADMSG);
	if (ret) {
		/* The error names a place inside the file and a reason. */
		FUZZ_ASSERT(err.offset <= size);
		FUZZ_ASSERT(err.what[0] != '\0');
		FUZZ_ASSERT(plain_text(err.what, strlen(err.what), false));
	}
	parse_one(&r, data, size);
	run_end(&r);
	ifnames_destroy(r.saved);
	return 0;
}
