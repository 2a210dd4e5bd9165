/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/tracegen: writes a synthetic DMA mapping trace (docs/trace-format.md)
 * to stdout.  Seeded and deterministic: the same arguments give the same
 * bytes on every run and machine (integer-only randomness; the only floating
 * point is IEEE basic arithmetic, no libm).
 *
 * Workloads (docs/trace-format.md has the full description):
 *   clustered-4k[:D]  GPU-driver-like 4 KiB requests clustered in 1-4 MiB
 *                     regions, D = fraction of a cluster's 4 KiB slots live
 *   large             64 KiB .. 16 MiB buffers around a working set
 *   churn             long churn of mixed sizes at ~60% of the cap
 *   near-cap          large buffers whose live total climbs past the cap
 *   streaming         a ring of DMA buffers mapped and unmapped repeatedly
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define PAGE      ((uint64_t)4096)
#define KiB       ((uint64_t)1024)
#define MiB       (KiB * 1024)
#define GiB       (MiB * 1024)
#define RAM_BASE  0x40000000ull /* arm64 virt machine: RAM starts at 1 GiB */
#define ALIGN_DOWN(x, a) ((x) / (a) * (a))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + (a) - 1, (a))

static const char *prog = "tracegen";

static void usage(FILE *f)
{
	fprintf(f,
"usage: bench/tracegen --workload NAME --ops N [--seed N] [options]\n"
"\n"
"Writes a seeded, deterministic DMA mapping trace to stdout\n"
"(docs/trace-format.md).  Workloads and their options (defaults in []):\n"
"\n"
"  clustered-4k[:DENSITY]  GPU-driver-like: >90%% 4 KiB requests at random\n"
"                    4 KiB slots of clusters with skewed popularity\n"
"      --density D       fraction of a cluster's 4 KiB slots live [0.12]\n"
"      --live N          live requests kept (working set) [48000]\n"
"      --clusters N      clusters [from live, density and cluster size]\n"
"                        (give at most two of --live --density --clusters)\n"
"      --cluster-size S  cluster size, or range MIN-MAX [1M-4M]\n"
"      --large-frac F    fraction of 8..64 KiB requests [0.03]\n"
"      --skew S          popularity: weight 1/(1+S*rank/clusters) [3]\n"
"      --fifo F          fraction of unmaps that take the oldest [0.6]\n"
"  large             64 KiB..16 MiB buffers (log-uniform) around a working set\n"
"      --live-bytes B    working set [1G]   --fifo F [0.5]\n"
"  churn             mixed sizes (60%% 4 KiB, 25%% 8-64 KiB, 10%% 64 KiB-1 MiB,\n"
"                    5%% 1-16 MiB) around a working set\n"
"      --live-bytes B    working set [60%% of --cap]   --fifo F [0.5]\n"
"  near-cap          256 KiB..16 MiB buffers; the target live total climbs\n"
"                    linearly from half the cap to --peak times the cap\n"
"      --peak F          final target / cap [1.15]\n"
"  --max-size B      large, churn, near-cap: largest buffer [16M]\n"
"  streaming         a ring of --buffers fixed buffers (4 KiB 40%%, 16 KiB,\n"
"                    64 KiB, 128 KiB 20%% each) mapped and unmapped\n"
"                    repeatedly, at most --depth in flight\n"
"      --buffers N [1024]  --depth N [128]  --fifo F [0.8]\n"
"\n"
"Common options:\n"
"  --ops N           operations (lines) to write (required)\n"
"  --seed N          [1]\n"
"  --ram B           guest RAM size [16G, grown for clustered-4k if needed];\n"
"                    RAM starts at 0x40000000\n"
"  --cap B           DART byte cap the workload is sized for [1536M]\n"
"  --help\n"
"\n"
"Sizes take K, M, G suffixes (binary).\n");
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t sz)
{
	p = realloc(p, sz);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- randomness: xoshiro256** seeded through splitmix64 ------------- */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rnd_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

/* Uniform in [0, n), n > 0, without modulo bias. */
static uint64_t rnd_below(uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, r;

	do
		r = rnd();
	while (r >= lim);
	return r % n;
}

/* Uniform in [0, 1) with 53 bits. */
static double rnd_unit(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static bool chance(double p)
{
	return rnd_unit() < p;
}

/* Roughly log-uniform 4 KiB multiple in [lo, hi] (both powers of two or
 * not): a power-of-two octave uniformly, then uniform within it. */
static uint64_t rnd_logsize(uint64_t lo, uint64_t hi)
{
	unsigned a = 63 - (unsigned)__builtin_clzll(lo);
	unsigned b = 63 - (unsigned)__builtin_clzll(hi);
	uint64_t s, base, top;

	if (a == b)
		base = lo, top = hi;
	else {
		unsigned k = a + (unsigned)rnd_below(b - a + (hi > (1ull << b)));
		base = 1ull << k;
		top = 2 * base;
		if (base < lo)
			base = lo;
		if (top > hi)
			top = hi;
	}
	s = base + rnd_below(top - base + 1);
	s = ALIGN_DOWN(s, PAGE);
	return s < lo ? lo : s;
}

/* ---- guest RAM: a bitmap of 4 KiB pages in use by live requests ----- */

struct ram {
	uint64_t base, pages;
	uint64_t *bits;
};

static struct ram ram;

static void ram_init(uint64_t size)
{
	ram.base = RAM_BASE;
	ram.pages = size / PAGE;
	ram.bits = xcalloc((ram.pages + 63) / 64, sizeof(uint64_t));
}

static bool ram_free(uint64_t pfn, uint64_t n)
{
	uint64_t i = pfn, end = pfn + n;

	if (end > ram.pages)
		return false;
	while (i < end) {
		unsigned sh = (unsigned)(i & 63);
		uint64_t k = 64 - sh < end - i ? 64 - sh : end - i;
		uint64_t m = (k == 64 ? ~0ull : ((1ull << k) - 1)) << sh;
		if (ram.bits[i / 64] & m)
			return false;
		i += k;
	}
	return true;
}

static void ram_mark(uint64_t pfn, uint64_t n, bool used)
{
	uint64_t i = pfn, end = pfn + n;

	while (i < end) {
		unsigned sh = (unsigned)(i & 63);
		uint64_t k = 64 - sh < end - i ? 64 - sh : end - i;
		uint64_t m = (k == 64 ? ~0ull : ((1ull << k) - 1)) << sh;
		if (used)
			ram.bits[i / 64] |= m;
		else
			ram.bits[i / 64] &= ~m;
		i += k;
	}
}

/* A free range of n pages anywhere in RAM, aligned to align pages.  Returns
 * the first page, or UINT64_MAX after many tries (RAM too full). */
static uint64_t ram_find(uint64_t n, uint64_t align)
{
	uint64_t slots = (ram.pages - n) / align + 1;

	for (int tries = 0; tries < 1000; tries++) {
		uint64_t pfn = rnd_below(slots) * align;
		if (ram_free(pfn, n))
			return pfn;
	}
	return UINT64_MAX;
}

/* ---- live requests --------------------------------------------------- */

struct req {
	uint64_t pfn;     /* first 4 KiB page (RAM-relative) */
	uint32_t size;    /* bytes */
	uint32_t gen;     /* bumped when the record is freed */
	uint32_t pos;     /* index in live[] */
	uint32_t aux;     /* workload-specific (streaming: buffer) */
	bool owns_ram;
};

struct qent {
	uint32_t idx, gen;
};

struct gen {
	FILE *out;
	uint64_t ops, done, maps, unmaps;
	struct req *reqs;
	uint32_t nreqs, capreqs;
	uint32_t *freeidx;
	uint32_t nfree;
	uint32_t *live;
	uint32_t nlive, peak_live;
	uint64_t live_bytes, peak_live_bytes;
	struct qent *q;      /* FIFO of maps in order, ring */
	size_t qhead, qlen, qcap;
};

static struct gen g;

static bool more(void)
{
	return g.done < g.ops;
}

static uint32_t emit_map(uint64_t pfn, uint32_t size, bool owns_ram, uint32_t aux)
{
	uint32_t idx;

	if (g.nfree) {
		idx = g.freeidx[--g.nfree];
	} else {
		if (g.nreqs == g.capreqs) {
			g.capreqs = g.capreqs ? g.capreqs * 2 : 65536;
			g.reqs = xrealloc(g.reqs, g.capreqs * sizeof(*g.reqs));
			g.freeidx = xrealloc(g.freeidx, g.capreqs * sizeof(*g.freeidx));
			g.live = xrealloc(g.live, g.capreqs * sizeof(*g.live));
		}
		idx = g.nreqs++;
		g.reqs[idx].gen = 0;
	}
	struct req *r = &g.reqs[idx];
	r->pfn = pfn;
	r->size = size;
	r->aux = aux;
	r->owns_ram = owns_ram;
	r->pos = g.nlive;
	g.live[g.nlive++] = idx;
	if (g.nlive > g.peak_live)
		g.peak_live = g.nlive;
	if (owns_ram)
		ram_mark(pfn, (size + PAGE - 1) / PAGE, true);
	g.live_bytes += size;
	if (g.live_bytes > g.peak_live_bytes)
		g.peak_live_bytes = g.live_bytes;

	if (g.qlen == g.qcap) {
		size_t ncap = g.qcap ? g.qcap * 2 : 65536;
		struct qent *n = xcalloc(ncap, sizeof(*n));
		for (size_t i = 0; i < g.qlen; i++)
			n[i] = g.q[(g.qhead + i) % g.qcap];
		free(g.q);
		g.q = n;
		g.qcap = ncap;
		g.qhead = 0;
	}
	g.q[(g.qhead + g.qlen++) % g.qcap] = (struct qent){ idx, r->gen };

	/* The request id is the record index: ids are reused after unmap. */
	fprintf(g.out, "map,%u,0x%" PRIx64 ",%u\n", idx, ram.base + pfn * PAGE, size);
	g.done++;
	g.maps++;
	return idx;
}

static void emit_unmap(uint32_t idx)
{
	struct req *r = &g.reqs[idx];
	uint32_t last = g.live[--g.nlive];

	g.live[r->pos] = last;
	g.reqs[last].pos = r->pos;
	if (r->owns_ram)
		ram_mark(r->pfn, (r->size + PAGE - 1) / PAGE, false);
	g.live_bytes -= r->size;
	r->gen++;
	g.freeidx[g.nfree++] = idx;

	fprintf(g.out, "unmap,%u\n", idx);
	g.done++;
	g.unmaps++;
}

/* The oldest live request (FIFO), skipping entries already unmapped. */
static uint32_t pick_oldest(void)
{
	while (g.qlen) {
		struct qent e = g.q[g.qhead];
		g.qhead = (g.qhead + 1) % g.qcap;
		g.qlen--;
		if (g.reqs[e.idx].gen == e.gen)
			return e.idx;
	}
	/* Cannot happen while nlive > 0: every live request is queued. */
	die("internal error: FIFO empty with %u live", g.nlive);
}

static uint32_t pick_random(void)
{
	return g.live[rnd_below(g.nlive)];
}

static void unmap_one(double fifo)
{
	emit_unmap(chance(fifo) ? pick_oldest() : pick_random());
}

/* ---- options ---------------------------------------------------------- */

enum {
	O_DENSITY = 1 << 0, O_LIVE = 1 << 1, O_CLUSTERS = 1 << 2,
	O_CLSIZE = 1 << 3, O_LARGE_FRAC = 1 << 4, O_SKEW = 1 << 5,
	O_FIFO = 1 << 6, O_LIVE_BYTES = 1 << 7, O_PEAK = 1 << 8,
	O_BUFFERS = 1 << 9, O_DEPTH = 1 << 10, O_MAX_SIZE = 1 << 11,
};

struct opts {
	unsigned seen;
	double density, large_frac, skew, fifo, peak;
	uint64_t live, clusters, cl_min, cl_max, live_bytes, buffers, depth;
	uint64_t ram, cap;
	bool ram_given;
};

/* Largest buffer of large, churn and near-cap (--max-size). */
static uint64_t max_size = 16 * MiB;

static double parse_frac(const char *name, const char *s, double lo, double hi)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= lo && v <= hi))
		die("bad %s '%s' (a number in [%g, %g])", name, s, lo, hi);
	return v;
}

static uint64_t parse_count(const char *name, const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t v;

	if (bench_parse_u64(s, &v) || v < lo || v > hi)
		die("bad %s '%s' (an integer in [%" PRIu64 ", %" PRIu64 "])", name, s, lo, hi);
	return v;
}

static uint64_t parse_bytes(const char *name, const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t v;

	if (bench_parse_size(s, &v) || v < lo || v > hi)
		die("bad %s '%s' (bytes in [%" PRIu64 ", %" PRIu64 "], K/M/G suffixes)",
		    name, s, lo, hi);
	return v;
}

static void fmt_size(char *buf, size_t n, uint64_t v)
{
	if (v && v % GiB == 0)
		snprintf(buf, n, "%" PRIu64 "G", v / GiB);
	else if (v && v % MiB == 0)
		snprintf(buf, n, "%" PRIu64 "M", v / MiB);
	else if (v && v % KiB == 0)
		snprintf(buf, n, "%" PRIu64 "K", v / KiB);
	else
		snprintf(buf, n, "%" PRIu64, v);
}

/* ---- clustered-4k ----------------------------------------------------- */

struct cluster {
	uint64_t pfn, slots;
};

static void gen_clustered(struct opts *o)
{
	double fifo = (o->seen & O_FIFO) ? o->fifo : 0.6;
	double lf = (o->seen & O_LARGE_FRAC) ? o->large_frac : 0.03;
	double skew = (o->seen & O_SKEW) ? o->skew : 3.0;
	uint64_t cmin = o->cl_min, cmax = o->cl_max;
	/* Slots per request on average: 1, or 2..16 for the large ones. */
	double per_req = (1.0 - lf) + lf * 9.0;
	double avg_slots = (double)(cmin + cmax) / 2.0 / (double)PAGE;
	unsigned given = !!(o->seen & O_DENSITY) + !!(o->seen & O_LIVE) + !!(o->seen & O_CLUSTERS);
	uint64_t nclusters, live;
	double density;

	if (given == 3)
		die("give at most two of --density, --live, --clusters");
	density = (o->seen & O_DENSITY) ? o->density : 0.12;
	live = (o->seen & O_LIVE) ? o->live : 48000;
	if (o->seen & O_CLUSTERS) {
		nclusters = o->clusters;
		if (!(o->seen & O_LIVE))
			live = (uint64_t)(density * avg_slots * (double)nclusters / per_req + 0.5);
		else
			density = (double)live * per_req / (avg_slots * (double)nclusters);
	} else {
		nclusters = (uint64_t)((double)live * per_req / (density * avg_slots) + 0.999);
	}
	if (live == 0 || nclusters == 0)
		die("clustered-4k: no live requests or no clusters with these parameters");
	if (density > 0.8)
		die("clustered-4k: density %.3f is over 0.8 (slots could not be found)", density);

	/* Each cluster in its own stride of RAM, at a random offset. */
	if (!o->ram_given && o->ram / nclusters < cmax)
		o->ram = ALIGN_UP(nclusters * cmax / 4 * 5, GiB);
	if (o->ram / nclusters < cmax)
		die("clustered-4k: %" PRIu64 " clusters of up to %" PRIu64
		    " bytes do not fit in --ram %" PRIu64, nclusters, cmax, o->ram);
	ram_init(o->ram);

	uint64_t stride = ALIGN_DOWN(o->ram / nclusters, PAGE);
	struct cluster *cl = xcalloc(nclusters, sizeof(*cl));
	double *cum = xcalloc(nclusters, sizeof(*cum));
	uint64_t *rank = xcalloc(nclusters, sizeof(*rank));
	double total = 0;
	uint64_t total_slots = 0;

	for (uint64_t i = 0; i < nclusters; i++)
		rank[i] = i;
	for (uint64_t i = nclusters - 1; i > 0; i--) { /* Fisher-Yates */
		uint64_t j = rnd_below(i + 1), t = rank[i];
		rank[i] = rank[j];
		rank[j] = t;
	}
	for (uint64_t i = 0; i < nclusters; i++) {
		uint64_t size = cmin + rnd_below((cmax - cmin) / PAGE + 1) * PAGE;
		uint64_t off = rnd_below((stride - size) / PAGE + 1);
		cl[i].pfn = i * (stride / PAGE) + off;
		cl[i].slots = size / PAGE;
		total_slots += cl[i].slots;
		total += (double)cl[i].slots / (1.0 + skew * (double)rank[i] / (double)nclusters);
		cum[i] = total;
	}

	char b1[32], b2[32], b3[32];
	fmt_size(b1, sizeof(b1), cmin);
	fmt_size(b2, sizeof(b2), cmax);
	fmt_size(b3, sizeof(b3), o->ram);
	fprintf(g.out, "# params: density=%.4f live=%" PRIu64 " clusters=%" PRIu64
		" cluster_size=%s-%s large_frac=%.3f skew=%.2f fifo=%.2f ram=%s"
		" ram_base=0x%llx cluster_slots=%" PRIu64 "\n",
		density, live, nclusters, b1, b2, lf, skew, fifo, b3,
		(unsigned long long)RAM_BASE, total_slots);

	while (more()) {
		bool do_map;

		if (g.nlive == 0)
			do_map = true;
		else if (g.maps < live && g.unmaps == 0)
			do_map = true; /* warm-up: fill the working set */
		else
			do_map = chance(g.nlive < live ? 0.6 : 0.4);
		if (!do_map) {
			unmap_one(fifo);
			continue;
		}

		uint64_t n = chance(lf) ? 2 + rnd_below(15) : 1;
		bool placed = false;
		for (int ctries = 0; ctries < 64 && !placed; ctries++) {
			double x = rnd_unit() * total;
			uint64_t lo = 0, hi = nclusters - 1;
			while (lo < hi) { /* first cum > x */
				uint64_t mid = lo + (hi - lo) / 2;
				if (cum[mid] > x)
					hi = mid;
				else
					lo = mid + 1;
			}
			struct cluster *c = &cl[lo];
			if (c->slots < n)
				continue;
			for (int stries = 0; stries < 16; stries++) {
				uint64_t pfn = c->pfn + rnd_below(c->slots - n + 1);
				if (ram_free(pfn, n)) {
					emit_map(pfn, (uint32_t)(n * PAGE), true, 0);
					placed = true;
					break;
				}
			}
		}
		if (!placed) {
			if (!g.nlive)
				die("clustered-4k: cannot place a request in an empty RAM");
			unmap_one(fifo);
		}
	}
	free(cl);
	free(cum);
	free(rank);
}

/* ---- working-set workloads: large, churn ----------------------------- */

static uint32_t churn_size(void)
{
	uint64_t r = rnd_below(100);

	if (r < 60)
		return 4 * KiB;
	if (r < 85)
		return (uint32_t)((2 + rnd_below(15)) * PAGE);
	if (r < 95 || max_size <= 1 * MiB)
		return (uint32_t)rnd_logsize(64 * KiB, max_size < 1 * MiB ? max_size : 1 * MiB);
	return (uint32_t)rnd_logsize(1 * MiB, max_size);
}

static uint32_t large_size(void)
{
	return (uint32_t)rnd_logsize(64 * KiB, max_size);
}

static uint32_t nearcap_size(void)
{
	return (uint32_t)rnd_logsize(256 * KiB, max_size);
}

static bool map_anywhere(uint32_t size)
{
	uint64_t n = (size + PAGE - 1) / PAGE;
	uint64_t pfn = ram_find(n, 1);

	if (pfn == UINT64_MAX)
		return false;
	emit_map(pfn, size, true, 0);
	return true;
}

static void gen_working_set(struct opts *o, uint64_t target, double fifo,
			    uint32_t (*size_fn)(void))
{
	char b1[32], b2[32];

	ram_init(o->ram);
	fmt_size(b1, sizeof(b1), target);
	fmt_size(b2, sizeof(b2), o->ram);
	fprintf(g.out, "# params: live_bytes=%s (%" PRIu64 ") fifo=%.2f max_size=%" PRIu64
		" ram=%s ram_base=0x%llx\n",
		b1, target, fifo, max_size, b2, (unsigned long long)RAM_BASE);
	while (more()) {
		bool do_map;

		if (g.nlive == 0)
			do_map = true;
		else if (g.unmaps == 0 && g.live_bytes < target)
			do_map = true; /* warm-up */
		else {
			/* Pulled back to the target harder the further off. */
			double off = ((double)target - (double)g.live_bytes) / (double)target;
			double p = 0.5 + 4.0 * off;
			do_map = chance(p < 0.1 ? 0.1 : p > 0.9 ? 0.9 : p);
		}
		if (!do_map || !map_anywhere(size_fn()))
			unmap_one(fifo);
	}
}

/* ---- near-cap --------------------------------------------------------- */

static void gen_near_cap(struct opts *o)
{
	double peak = (o->seen & O_PEAK) ? o->peak : 1.15;
	double start = 0.5;

	ram_init(o->ram);
	char b1[32], b2[32];
	fmt_size(b1, sizeof(b1), o->cap);
	fmt_size(b2, sizeof(b2), o->ram);
	fprintf(g.out, "# params: cap=%s target=cap*(%.2f..%.2f) linear in ops, "
		"buffers 256K..%" PRIu64 ", ram=%s ram_base=0x%llx\n",
		b1, start, peak, max_size, b2, (unsigned long long)RAM_BASE);
	while (more()) {
		double frac = start + (peak - start) * (double)g.done / (double)g.ops;
		double target = frac * (double)o->cap;
		bool below = (double)g.live_bytes < target;
		/* Mostly towards the target, with 20% noise both ways so that
		 * buffers come and go (and idle mappings exist) on the climb. */
		bool do_map = g.nlive == 0 || (below ? !chance(0.2) : chance(0.2));

		if (!do_map || !map_anywhere(nearcap_size()))
			unmap_one(0.3);
	}
}

/* ---- streaming -------------------------------------------------------- */

static void gen_streaming(struct opts *o)
{
	uint64_t nb = (o->seen & O_BUFFERS) ? o->buffers : 1024;
	uint64_t depth = (o->seen & O_DEPTH) ? o->depth : 128;
	double fifo = (o->seen & O_FIFO) ? o->fifo : 0.8;
	static const uint32_t sizes[5] = { 4096, 4096, 16384, 65536, 131072 };

	if (depth >= nb)
		die("streaming: --depth must be below --buffers");
	ram_init(o->ram);

	uint64_t *pfn = xcalloc(nb, sizeof(*pfn));
	uint32_t *size = xcalloc(nb, sizeof(*size));
	bool *busy = xcalloc(nb, sizeof(*busy));

	for (uint64_t i = 0; i < nb; i++) {
		size[i] = sizes[rnd_below(5)];
		/* Scattered pages from the guest allocator, naturally aligned
		 * up to 16 KiB as the kernel's page allocator would give. */
		uint64_t n = size[i] / PAGE, align = n > 4 ? 4 : n;
		pfn[i] = ram_find(n, align);
		if (pfn[i] == UINT64_MAX)
			die("streaming: guest RAM too small for the buffers");
		ram_mark(pfn[i], n, true);
	}

	char b2[32];
	fmt_size(b2, sizeof(b2), o->ram);
	fprintf(g.out, "# params: buffers=%" PRIu64 " depth=%" PRIu64 " fifo=%.2f ram=%s ram_base=0x%llx\n",
		nb, depth, fifo, b2, (unsigned long long)RAM_BASE);

	uint64_t next = 0;
	while (more()) {
		bool do_map;

		if (g.nlive == 0)
			do_map = true;
		else if (g.nlive >= depth)
			do_map = false;
		else
			do_map = g.nlive < depth / 2 || chance(0.5);
		if (do_map) {
			while (busy[next])
				next = (next + 1) % nb;
			busy[next] = true;
			emit_map(pfn[next], size[next], false, (uint32_t)next);
			next = (next + 1) % nb;
		} else {
			uint32_t idx = chance(fifo) ? pick_oldest() : pick_random();
			busy[g.reqs[idx].aux] = false;
			emit_unmap(idx);
		}
	}
	free(pfn);
	free(size);
	free(busy);
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
	enum {
		OPT_WORKLOAD = 256, OPT_SEED, OPT_OPS, OPT_DENSITY, OPT_LIVE,
		OPT_CLUSTERS, OPT_CLSIZE, OPT_LARGE_FRAC, OPT_SKEW, OPT_FIFO,
		OPT_LIVE_BYTES, OPT_PEAK, OPT_BUFFERS, OPT_DEPTH, OPT_RAM, OPT_CAP, OPT_MAX_SIZE,
	};
	static const struct option lopts[] = {
		{ "workload", required_argument, NULL, OPT_WORKLOAD },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "ops", required_argument, NULL, OPT_OPS },
		{ "density", required_argument, NULL, OPT_DENSITY },
		{ "live", required_argument, NULL, OPT_LIVE },
		{ "clusters", required_argument, NULL, OPT_CLUSTERS },
		{ "cluster-size", required_argument, NULL, OPT_CLSIZE },
		{ "large-frac", required_argument, NULL, OPT_LARGE_FRAC },
		{ "skew", required_argument, NULL, OPT_SKEW },
		{ "fifo", required_argument, NULL, OPT_FIFO },
		{ "live-bytes", required_argument, NULL, OPT_LIVE_BYTES },
		{ "peak", required_argument, NULL, OPT_PEAK },
		{ "buffers", required_argument, NULL, OPT_BUFFERS },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "ram", required_argument, NULL, OPT_RAM },
		{ "cap", required_argument, NULL, OPT_CAP },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	const char *workload = NULL;
	uint64_t seed = 1, ops = 0;
	bool ops_given = false;
	int c;

	memset(&o, 0, sizeof(o));
	o.cl_min = 1 * MiB;
	o.cl_max = 4 * MiB;
	o.ram = 16 * GiB;
	o.cap = 1536 * MiB;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_WORKLOAD: workload = optarg; break;
		case OPT_SEED: seed = parse_count("--seed", optarg, 0, UINT64_MAX); break;
		case OPT_OPS:
			ops = parse_count("--ops", optarg, 1, UINT64_MAX);
			ops_given = true;
			break;
		case OPT_DENSITY:
			o.density = parse_frac("--density", optarg, 1e-6, 0.8);
			o.seen |= O_DENSITY;
			break;
		case OPT_LIVE:
			o.live = parse_count("--live", optarg, 1, 1u << 30);
			o.seen |= O_LIVE;
			break;
		case OPT_CLUSTERS:
			o.clusters = parse_count("--clusters", optarg, 1, 1u << 24);
			o.seen |= O_CLUSTERS;
			break;
		case OPT_CLSIZE: {
			char buf[64], *dash;
			snprintf(buf, sizeof(buf), "%s", optarg);
			dash = strchr(buf, '-');
			if (dash) {
				*dash = '\0';
				o.cl_min = parse_bytes("--cluster-size", buf, PAGE, 1ull << 34);
				o.cl_max = parse_bytes("--cluster-size", dash + 1, PAGE, 1ull << 34);
			} else {
				o.cl_min = o.cl_max = parse_bytes("--cluster-size", buf, PAGE, 1ull << 34);
			}
			if (o.cl_min % PAGE || o.cl_max % PAGE || o.cl_min > o.cl_max || o.cl_min < 16 * PAGE)
				die("bad --cluster-size '%s' (4 KiB multiples, at least 64K, MIN <= MAX)",
				    optarg);
			o.seen |= O_CLSIZE;
			break;
		}
		case OPT_LARGE_FRAC:
			o.large_frac = parse_frac("--large-frac", optarg, 0, 1);
			o.seen |= O_LARGE_FRAC;
			break;
		case OPT_SKEW:
			o.skew = parse_frac("--skew", optarg, 0, 1000);
			o.seen |= O_SKEW;
			break;
		case OPT_FIFO:
			o.fifo = parse_frac("--fifo", optarg, 0, 1);
			o.seen |= O_FIFO;
			break;
		case OPT_LIVE_BYTES:
			o.live_bytes = parse_bytes("--live-bytes", optarg, PAGE, 1ull << 40);
			o.seen |= O_LIVE_BYTES;
			break;
		case OPT_PEAK:
			o.peak = parse_frac("--peak", optarg, 0.51, 4);
			o.seen |= O_PEAK;
			break;
		case OPT_BUFFERS:
			o.buffers = parse_count("--buffers", optarg, 2, 1u << 20);
			o.seen |= O_BUFFERS;
			break;
		case OPT_DEPTH:
			o.depth = parse_count("--depth", optarg, 1, 1u << 20);
			o.seen |= O_DEPTH;
			break;
		case OPT_RAM:
			o.ram = parse_bytes("--ram", optarg, 64 * MiB, 1ull << 44);
			if (o.ram % PAGE)
				die("--ram must be a multiple of 4 KiB");
			o.ram_given = true;
			break;
		case OPT_MAX_SIZE:
			max_size = parse_bytes("--max-size", optarg, 256 * KiB, 1ull << 31);
			if (max_size % PAGE)
				die("--max-size must be a multiple of 4 KiB");
			o.seen |= O_MAX_SIZE;
			break;
		case OPT_CAP:
			o.cap = parse_bytes("--cap", optarg, 16 * KiB, 1ull << 40);
			break;
		case 'h': usage(stdout); return 0;
		default:
			die("unknown option or missing argument: %s (try --help)", argv[optind - 1]);
		}
	}
	if (optind != argc)
		die("unexpected argument '%s' (try --help)", argv[optind]);
	if (!workload)
		die("--workload is required (try --help)");
	if (!ops_given)
		die("--ops is required (try --help)");

	unsigned allowed;
	char wname[32];
	const char *colon = strchr(workload, ':');
	snprintf(wname, sizeof(wname), "%.*s",
		 (int)(colon ? (size_t)(colon - workload) : strlen(workload)), workload);
	if (!strcmp(wname, "clustered-4k")) {
		allowed = O_DENSITY | O_LIVE | O_CLUSTERS | O_CLSIZE | O_LARGE_FRAC | O_SKEW | O_FIFO;
		if (colon) {
			if (o.seen & O_DENSITY)
				die("density given twice (clustered-4k:D and --density)");
			o.density = parse_frac("density", colon + 1, 1e-6, 0.8);
			o.seen |= O_DENSITY;
		}
	} else if (!strcmp(wname, "large") || !strcmp(wname, "churn")) {
		allowed = O_LIVE_BYTES | O_FIFO | O_MAX_SIZE;
	} else if (!strcmp(wname, "near-cap")) {
		allowed = O_PEAK | O_MAX_SIZE;
	} else if (!strcmp(wname, "streaming")) {
		allowed = O_BUFFERS | O_DEPTH | O_FIFO;
	} else {
		die("unknown workload '%s' (clustered-4k[:D], large, churn, near-cap, streaming)",
		    workload);
	}
	if (colon && strcmp(wname, "clustered-4k"))
		die("workload '%s' takes no ':' parameter", wname);
	if (o.seen & ~allowed)
		die("an option given does not apply to workload %s (try --help)", wname);

	static char obuf[1 << 20];
	g.out = stdout;
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	g.ops = ops;
	rnd_seed(seed);

	fprintf(g.out, "# pcipass DMA trace v1 (docs/trace-format.md)\n# generator: bench/tracegen");
	for (int i = 1; i < argc; i++)
		fprintf(g.out, " %s", argv[i]);
	fprintf(g.out, "\n");

	if (!strcmp(wname, "clustered-4k"))
		gen_clustered(&o);
	else if (!strcmp(wname, "large"))
		gen_working_set(&o, (o.seen & O_LIVE_BYTES) ? o.live_bytes : 1 * GiB,
				(o.seen & O_FIFO) ? o.fifo : 0.5, large_size);
	else if (!strcmp(wname, "churn"))
		gen_working_set(&o, (o.seen & O_LIVE_BYTES) ? o.live_bytes
				: ALIGN_DOWN(o.cap / 10 * 6, PAGE),
				(o.seen & O_FIFO) ? o.fifo : 0.5, churn_size);
	else if (!strcmp(wname, "near-cap"))
		gen_near_cap(&o);
	else
		gen_streaming(&o);

	fprintf(g.out, "# end: ops=%" PRIu64 " maps=%" PRIu64 " unmaps=%" PRIu64
		" live_at_end=%u peak_live_requests=%u peak_live_bytes=%" PRIu64 "\n",
		g.done, g.maps, g.unmaps, g.nlive, g.peak_live, g.peak_live_bytes);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error\n", prog);
		return 1;
	}
	return 0;
}
