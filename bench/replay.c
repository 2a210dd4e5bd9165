/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/replay: replays a DMA mapping trace (docs/trace-format.md) through a
 * window policy (dmawin.h) onto the DART model (dart.h) and reports what it
 * cost: failures, DART entries and bytes, slop, host round trips, time.
 *
 * Every successful map is verified: the DART must translate the returned
 * dma address, for the requested length, read and write, to exactly the
 * requested guest-physical address.  The same check runs again just before
 * each unmap and over every live request at the end (and every
 * --verify-every operations), so a mapping that a later operation broke is
 * caught too.  Any verification error makes the exit status 1.
 *
 * Exit status: 0 done, 1 verification or host-protocol errors (or setup
 * failure), 2 usage or trace error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcipass/dart.h>
#include <pcipass/dmawin.h>
#include <pcipass/proto.h>
#include <pcipass/status.h>

#include "trace.h"

static const char *prog = "replay";

static void usage(FILE *f)
{
	fprintf(f,
"usage: bench/replay --policy reference|pcipass|strict\n"
"                    --placement first-fit|random|adversarial\n"
"                    [--seed N] [--cap BYTES] [--max-entries N]\n"
"                    [--verify-every N] TRACE\n"
"       bench/replay --parse-only TRACE\n"
"\n"
"Replays TRACE ('-' for stdin; format: docs/trace-format.md) through the\n"
"window policy onto the DART model and prints key=value results.\n"
"\n"
"  --policy P        reference: 256 KiB windows, no reuse (the first public\n"
"                    version); pcipass: adaptive windows, idle reuse;\n"
"                    strict: exact 16 KiB-rounded mappings, nothing idle\n"
"  --placement P     how the DART picks bus addresses: first-fit (lowest\n"
"                    free), random (seeded), adversarial (never aligned\n"
"                    above 16 KiB)\n"
"  --seed N          seed of random placement (default 1)\n"
"  --cap BYTES       DART byte cap (default 1536M = %llu); suffixes K M G\n"
"                    are binary multiples\n"
"  --max-entries N   DART live-mapping cap (default %u)\n"
"  --verify-every N  also re-verify every live request every N operations\n"
"                    (untimed; default 0: only at map, unmap and the end)\n"
"  --parse-only      check the trace and print its statistics, replay nothing\n"
"  --help            this text\n"
"\n"
"Exit status: 0 done (map failures are results, not errors), 1 verification\n"
"or host-protocol errors, 2 usage or trace error.\n",
		(unsigned long long)PP_DART_DEFAULT_CAP_BYTES,
		PP_DART_DEFAULT_MAX_ENTRIES);
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(try --help)\n");
	exit(2);
}

/* ---- the host: pp_host_op -> DART, with a handle table --------------- */

struct hmap {
	uint64_t bus;     /* 0: handle free */
	uint64_t charged; /* DART bytes (whole 16 KiB pages) */
};

struct host {
	struct pp_dart *dart;
	struct hmap *h;       /* handle - 1 -> mapping */
	uint32_t *free;       /* free handles */
	size_t nh, nfree, cap;
	uint64_t calls, maps, unmaps, ops_max;
	uint64_t bytes, entries; /* live, as the host sees them */
	uint64_t errors;      /* bad handles, unknown ops, DART unmap errors */
};

static uint32_t host_handle_alloc(struct host *h)
{
	if (h->nfree)
		return h->free[--h->nfree];
	if (h->nh == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 65536;
		struct hmap *n = realloc(h->h, ncap * sizeof(*n));
		uint32_t *f;
		if (!n)
			return 0;
		h->h = n;
		f = realloc(h->free, ncap * sizeof(*f));
		if (!f)
			return 0;
		h->free = f;
		h->cap = ncap;
	}
	if (h->nh >= UINT32_MAX - 1)
		return 0;
	return (uint32_t)++h->nh;
}

static void host_err(struct host *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void host_err(struct host *h, const char *fmt, ...)
{
	va_list ap;

	if (h->errors++ < 5) {
		fprintf(stderr, "%s: host: ", prog);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static int host_cb(void *ctx, struct pp_host_op *ops, unsigned int n)
{
	struct host *h = ctx;

	h->calls++;
	if (n > h->ops_max)
		h->ops_max = n;
	for (unsigned int i = 0; i < n; i++) {
		struct pp_host_op *o = &ops[i];

		if (o->op == PP_OP_MAP) {
			uint32_t prot = 0;
			uint64_t bus = 0;
			int st;

			h->maps++;
			if (o->prot & PP_MAP_READ)
				prot |= PP_DART_READ;
			if (o->prot & PP_MAP_WRITE)
				prot |= PP_DART_WRITE;
			st = pp_dart_map(h->dart, o->gpa, o->len, prot, &bus);
			if (st == PP_OK) {
				uint32_t hd = host_handle_alloc(h);
				if (!hd) {
					pp_dart_unmap(h->dart, bus);
					st = PP_ERR_NOMEM;
				} else {
					uint64_t lo = PP_ALIGN_DOWN(o->gpa, PP_DART_PAGE_SIZE);
					uint64_t hi = PP_ALIGN_UP(o->gpa + o->len, PP_DART_PAGE_SIZE);
					h->h[hd - 1].bus = bus;
					h->h[hd - 1].charged = hi - lo;
					h->bytes += hi - lo;
					h->entries++;
					o->bus = bus;
					o->handle = hd;
				}
			}
			o->status = st;
		} else if (o->op == PP_OP_UNMAP) {
			uint32_t hd = o->handle;
			int st;

			h->unmaps++;
			if (hd == 0 || hd > h->nh || h->h[hd - 1].bus == 0) {
				host_err(h, "unmap of unknown handle %u", hd);
				o->status = PP_ERR_NOENT;
				continue;
			}
			st = pp_dart_unmap(h->dart, h->h[hd - 1].bus);
			if (st != PP_OK)
				host_err(h, "DART refused unmap of bus 0x%" PRIx64 ": %s",
					 h->h[hd - 1].bus, pp_status_name(st));
			h->bytes -= h->h[hd - 1].charged;
			h->entries--;
			h->h[hd - 1].bus = 0;
			h->free[h->nfree++] = hd;
			o->status = st;
		} else {
			host_err(h, "unknown host op %u", o->op);
			o->status = PP_ERR_BADOP;
		}
	}
	return PP_OK;
}

static void *alloc_cb(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void free_cb(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

/* ---- replay ---------------------------------------------------------- */

struct req {
	uint64_t gpa;
	uint64_t dma;
	uint32_t size;
	uint32_t mapped;
};

struct run {
	struct pp_dart *dart;
	struct pp_win *win;
	uint64_t verify_errors;
};

static void verify_one(struct run *r, const struct req *q, const char *when,
		       size_t opno)
{
	static const uint32_t kinds[2] = { PP_DART_READ, PP_DART_WRITE };
	uint64_t host = 0, g = 0;
	int st;

	for (unsigned k = 0; k < 2; k++) {
		st = pp_dart_translate(r->dart, q->dma, q->size, kinds[k], &host);
		if (st != PP_OK || host != q->gpa) {
			if (r->verify_errors++ < 5)
				fprintf(stderr,
					"%s: verify (%s, op %zu): gpa 0x%" PRIx64 " len %u dma 0x%" PRIx64
					": DART %s %s -> 0x%" PRIx64 "\n",
					prog, when, opno, q->gpa, q->size, q->dma,
					k ? "write" : "read", pp_status_name(st),
					st == PP_OK ? host : 0);
			return;
		}
	}
	st = pp_win_dma_to_gpa(r->win, q->dma, &g);
	if (st != PP_OK || g != q->gpa) {
		if (r->verify_errors++ < 5)
			fprintf(stderr,
				"%s: verify (%s, op %zu): policy dma_to_gpa(0x%" PRIx64 ") = %s 0x%" PRIx64
				", want 0x%" PRIx64 "\n",
				prog, when, opno, q->dma, pp_status_name(st), g, q->gpa);
	}
}

static void verify_all(struct run *r, const struct req *reqs, uint32_t n,
		       const char *when, size_t opno)
{
	for (uint32_t i = 0; i < n; i++)
		if (reqs[i].mapped)
			verify_one(r, &reqs[i], when, opno);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void print_ratio(const char *key, double v)
{
	printf("%s=%.4f\n", key, v);
}

int main(int argc, char **argv)
{
	enum { OPT_VERIFY_EVERY = 256, OPT_PARSE_ONLY, OPT_MAX_ENTRIES };
	static const struct option lopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "placement", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ "cap", required_argument, NULL, 'c' },
		{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
		{ "verify-every", required_argument, NULL, OPT_VERIFY_EVERY },
		{ "parse-only", no_argument, NULL, OPT_PARSE_ONLY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL, *placement = NULL, *path;
	uint64_t seed = 1, cap = PP_DART_DEFAULT_CAP_BYTES, v;
	uint64_t max_entries = PP_DART_DEFAULT_MAX_ENTRIES, verify_every = 0;
	bool parse_only = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'l': placement = optarg; break;
		case 's':
			if (bench_parse_u64(optarg, &seed))
				die_usage("bad --seed '%s'", optarg);
			break;
		case 'c':
			if (bench_parse_size(optarg, &cap) || cap == 0)
				die_usage("bad --cap '%s'", optarg);
			break;
		case OPT_MAX_ENTRIES:
			if (bench_parse_u64(optarg, &v) || v == 0 || v > UINT32_MAX)
				die_usage("bad --max-entries '%s'", optarg);
			max_entries = v;
			break;
		case OPT_VERIFY_EVERY:
			if (bench_parse_u64(optarg, &verify_every))
				die_usage("bad --verify-every '%s'", optarg);
			break;
		case OPT_PARSE_ONLY: parse_only = true; break;
		case 'h': usage(stdout); return 0;
		default:
			if (optopt)
				die_usage("option -%c: unknown or missing argument", optopt);
			die_usage("unknown option or missing argument: %s", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		die_usage(optind == argc ? "no TRACE given" : "more than one TRACE given");
	path = argv[optind];

	void (*preset)(struct pp_win_config *, uint64_t, uint32_t) = NULL;
	enum pp_dart_placement pl = PP_DART_FIRST_FIT;
	if (!parse_only) {
		if (!policy)
			die_usage("--policy is required");
		if (!strcmp(policy, "reference"))
			preset = pp_win_config_reference;
		else if (!strcmp(policy, "pcipass"))
			preset = pp_win_config_pcipass;
		else if (!strcmp(policy, "strict"))
			preset = pp_win_config_strict;
		else
			die_usage("unknown --policy '%s' (reference, pcipass, strict)", policy);
		if (!placement)
			die_usage("--placement is required");
		if (!strcmp(placement, "first-fit"))
			pl = PP_DART_FIRST_FIT;
		else if (!strcmp(placement, "random"))
			pl = PP_DART_RANDOM;
		else if (!strcmp(placement, "adversarial"))
			pl = PP_DART_ADVERSARIAL;
		else
			die_usage("unknown --placement '%s' (first-fit, random, adversarial)",
				  placement);
	}

	/* Parse the whole trace first: parsing is not part of the timing. */
	struct trace t;
	struct trace_error te;
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	const char *tname = strcmp(path, "-") ? path : "<stdin>";

	memset(&t, 0, sizeof(t));
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 2;
	}
	uint64_t t_parse0 = now_ns();
	if (trace_load(f, &t, &te)) {
		if (te.line)
			fprintf(stderr, "%s: %s:%lu: %s\n", prog, tname, te.line, te.msg);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, tname, te.msg);
		return 2;
	}
	double parse_s = (double)(now_ns() - t_parse0) / 1e9;
	if (f != stdin)
		fclose(f);

	if (parse_only) {
		printf("trace=%s\n", tname);
		printf("ops=%zu\n", t.n);
		printf("maps=%" PRIu64 "\n", t.maps);
		printf("unmaps=%" PRIu64 "\n", t.unmaps);
		printf("peak_live_requests=%u\n", t.nslots);
		printf("peak_live_bytes=%" PRIu64 "\n", t.peak_live_bytes);
		printf("live_requests_at_end=%" PRIu64 "\n", t.live_requests);
		printf("live_bytes_at_end=%" PRIu64 "\n", t.live_bytes);
		printf("parse_s=%.3f\n", parse_s);
		trace_free(&t);
		return 0;
	}

	struct pp_dart_config dc;
	pp_dart_config_default(&dc);
	dc.cap_bytes = cap;
	dc.max_entries = (uint32_t)max_entries;
	dc.placement = pl;
	dc.seed = seed;

	struct host host;
	memset(&host, 0, sizeof(host));
	host.dart = pp_dart_new(&dc);
	if (!host.dart) {
		fprintf(stderr, "%s: pp_dart_new refused the configuration (cap %" PRIu64
			", max entries %" PRIu64 ")\n", prog, cap, max_entries);
		return 1;
	}

	struct pp_win_config wc;
	preset(&wc, cap, (uint32_t)max_entries);
	struct pp_win_ops wops = {
		.ctx = &host, .alloc = alloc_cb, .free = free_cb, .host = host_cb,
	};
	struct run r = { .dart = host.dart, .win = pp_win_create(&wc, &wops) };
	if (!r.win) {
		fprintf(stderr, "%s: pp_win_create refused the %s preset\n", prog, policy);
		return 1;
	}

	struct req *reqs = calloc(t.nslots ? t.nslots : 1, sizeof(*reqs));
	if (!reqs) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}

	uint64_t maps = 0, unmaps = 0, skipped = 0, unmap_errors = 0;
	uint64_t fail_nospc = 0, fail_toomany = 0, fail_other = 0;
	uint64_t first_fail_op = 0, live_at_first_fail = 0;
	int first_fail_status = PP_OK;
	uint64_t live = 0, peak_live = 0, peak_host_bytes = 0, live_at_peak = 0;
	double sum_dart = 0, sum_live = 0;
	uint64_t untimed_ns = 0;

	uint64_t t0 = now_ns();
	for (size_t i = 0; i < t.n; i++) {
		const struct trace_op *op = &t.ops[i];
		struct req *q = &reqs[op->slot & TRACE_SLOT_MASK];

		if (!(op->slot & TRACE_UNMAP)) {
			struct pp_win_seg seg = { .gpa = op->gpa, .len = op->size, .dma = 0 };
			int st;

			maps++;
			st = pp_win_map(r.win, &seg, 1, PP_MAP_RW);
			q->gpa = op->gpa;
			q->size = op->size;
			if (st == PP_OK) {
				q->dma = seg.dma;
				q->mapped = 1;
				live += op->size;
				if (live > peak_live)
					peak_live = live;
				verify_one(&r, q, "map", i + 1);
			} else {
				q->mapped = 0;
				if (st == PP_ERR_NOSPC)
					fail_nospc++;
				else if (st == PP_ERR_TOOMANY)
					fail_toomany++;
				else
					fail_other++;
				if (!first_fail_op) {
					first_fail_op = i + 1;
					first_fail_status = st;
					live_at_first_fail = live;
				}
			}
		} else if (!q->mapped) {
			skipped++;
		} else {
			struct pp_win_seg seg = { .gpa = q->gpa, .len = q->size, .dma = q->dma };

			verify_one(&r, q, "before unmap", i + 1);
			unmaps++;
			if (pp_win_unmap(r.win, &seg, 1) != PP_OK && unmap_errors++ < 5)
				fprintf(stderr, "%s: op %zu: policy refused unmap of dma 0x%" PRIx64
					" len %u that it mapped\n", prog, i + 1, q->dma, q->size);
			q->mapped = 0;
			live -= q->size;
		}
		sum_dart += (double)host.bytes;
		sum_live += (double)live;
		if (host.bytes > peak_host_bytes) {
			peak_host_bytes = host.bytes;
			live_at_peak = live;
		}
		if (verify_every && (i + 1) % verify_every == 0) {
			uint64_t a = now_ns();
			verify_all(&r, reqs, t.nslots, "periodic", i + 1);
			untimed_ns += now_ns() - a;
		}
	}
	uint64_t elapsed = now_ns() - t0 - untimed_ns;

	verify_all(&r, reqs, t.nslots, "end", t.n);

	struct pp_dart_stats ds;
	struct pp_win_stats ws;
	pp_dart_get_stats(host.dart, &ds);
	pp_win_get_stats(r.win, &ws);
	if (ds.live_bytes != host.bytes || ds.live_entries != host.entries)
		host_err(&host, "DART reports %" PRIu64 " entries / %" PRIu64
			 " bytes live, the host's handles %" PRIu64 " / %" PRIu64,
			 ds.live_entries, ds.live_bytes, host.entries, host.bytes);

	/* Host calls of the replay itself; teardown is not counted. */
	uint64_t calls = host.calls, hmaps = host.maps, hunmaps = host.unmaps;

	pp_win_destroy(r.win);
	struct pp_dart_stats end;
	pp_dart_get_stats(host.dart, &end);
	uint64_t leaked = end.live_entries;
	if (leaked)
		host_err(&host, "%" PRIu64 " DART mappings left after pp_win_destroy", leaked);

	uint64_t failures = fail_nospc + fail_toomany + fail_other;
	printf("trace=%s\n", tname);
	printf("policy=%s\n", policy);
	printf("placement=%s\n", placement);
	printf("seed=%" PRIu64 "\n", seed);
	printf("cap=%" PRIu64 "\n", cap);
	printf("max_entries=%" PRIu64 "\n", max_entries);
	printf("ops=%zu\n", t.n);
	printf("maps=%" PRIu64 "\n", maps);
	printf("unmaps=%" PRIu64 "\n", unmaps);
	printf("skipped_unmaps=%" PRIu64 "\n", skipped);
	printf("failures=%" PRIu64 "\n", failures);
	printf("failures_nospc=%" PRIu64 "\n", fail_nospc);
	printf("failures_toomany=%" PRIu64 "\n", fail_toomany);
	printf("failures_other=%" PRIu64 "\n", fail_other);
	if (first_fail_op) {
		printf("first_failure_op=%" PRIu64 "\n", first_fail_op);
		printf("first_failure_status=%s\n", pp_status_name(first_fail_status));
	} else {
		printf("first_failure_op=none\n");
		printf("first_failure_status=none\n");
	}
	printf("peak_entries=%" PRIu64 "\n", ds.peak_entries);
	printf("peak_dart_bytes=%" PRIu64 "\n", ds.peak_bytes);
	printf("peak_live_bytes=%" PRIu64 "\n", peak_live);
	/* State at the end of the trace (steady state for the churn workloads),
	 * idle mappings included, before teardown. */
	printf("end_entries=%" PRIu64 "\n", ds.live_entries);
	printf("end_dart_bytes=%" PRIu64 "\n", ds.live_bytes);
	printf("end_idle_entries=%" PRIu64 "\n", ws.idle_entries);
	print_ratio("slop_ratio", sum_dart > 0 ? 1.0 - sum_live / sum_dart : 0.0);
	print_ratio("slop_ratio_at_peak",
		    peak_host_bytes ? 1.0 - (double)live_at_peak / (double)peak_host_bytes : 0.0);
	printf("host_calls=%" PRIu64 "\n", calls);
	printf("host_maps=%" PRIu64 "\n", hmaps);
	printf("host_unmaps=%" PRIu64 "\n", hunmaps);
	printf("host_ops_per_call_max=%" PRIu64 "\n", host.ops_max);
	printf("reuse_hits=%" PRIu64 "\n", ws.reuse_hits);
	printf("reclaims=%" PRIu64 "\n", ws.reclaims);
	printf("retries=%" PRIu64 "\n", ws.retries);
	printf("ns_per_op=%.1f\n", t.n ? (double)elapsed / (double)t.n : 0.0);
	printf("replay_s=%.3f\n", (double)elapsed / 1e9);
	printf("parse_s=%.3f\n", parse_s);
	if (first_fail_op) {
		printf("live_bytes_at_first_failure=%" PRIu64 "\n", live_at_first_fail);
		print_ratio("usable_before_first_failure", (double)live_at_first_fail / (double)cap);
	} else {
		printf("live_bytes_at_first_failure=none\n");
		printf("usable_before_first_failure=none\n");
	}
	printf("verify_errors=%" PRIu64 "\n", r.verify_errors);
	printf("unmap_errors=%" PRIu64 "\n", unmap_errors);
	printf("host_errors=%" PRIu64 "\n", host.errors);
	printf("leaked_entries=%" PRIu64 "\n", leaked);

	pp_dart_free(host.dart);
	free(host.h);
	free(host.free);
	free(reqs);
	trace_free(&t);
	return (r.verify_errors || unmap_errors || host.errors) ? 1 : 0;
}
