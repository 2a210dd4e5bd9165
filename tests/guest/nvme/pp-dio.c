// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pp-dio: seeded direct-I/O writer and verifier for the guest tests
 * (static arm64 program; tests/guest/{nvme,exhaustion,reload,dma-bench}).
 *
 *   pp-dio [options] DEVICE
 *     --mode write|verify|both   default both: write everything, then read
 *                                everything back and compare
 *     --size BYTES               region size (K/M/G suffixes), default 256M
 *     --offset BYTES             region start, default 0
 *     --seed N                   data seed, default 1
 *     --threads N                parallel workers, default 4 (each owns
 *                                a slice of the region)
 *     --min-bs B --max-bs B      block sizes, powers of two, 4K..1M default;
 *                                each I/O picks one at random
 *     --misalign                 buffers start at a random 512-byte offset
 *                                inside their page (multi-page segments)
 *     --tolerate-errors          an I/O error is counted, not fatal; blocks
 *                                whose write failed are not verified
 *     --stats FILE               a pcipass_dma debugfs stats file: sampled
 *                                during the run (DART entries per live
 *                                mapping), before/after deltas printed
 *
 * The data of the 8-byte word at byte offset o is a function of (seed, o)
 * only, so any read size verifies any write size.  Output: key=value lines
 * (bytes, MB/s, mismatches, io_errors, ...); exit 0 when every verified
 * byte matched and (without --tolerate-errors) no I/O failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UNIT 4096u /* verification granularity */

static const char *dev_path;
static const char *stats_path;
static uint64_t region_size = 256ull << 20, region_off, seed = 1;
static unsigned int nthreads = 4;
static uint32_t min_bs = 4096, max_bs = 1 << 20;
static bool misalign, tolerate;
static int mode = 2; /* 0 write, 1 verify, 2 both */

static _Atomic uint64_t io_errors, mismatches, mismatch_units;
static _Atomic uint64_t bytes_done, ios_done, unverified_units;
static uint8_t *ok_units; /* 1 when the unit's write succeeded */
static _Atomic int stop_sampler;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t word_at(uint64_t off)
{
	return mix(seed * 0x2545f4914f6cdd1dull ^ (off >> 3));
}

static void fill(uint64_t *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = word_at(off + 8 * i);
}

static uint64_t rng_next(uint64_t *s)
{
	*s = mix(*s);
	return *s;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	case 0: break;
	default:
		fprintf(stderr, "pp-dio: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

struct worker {
	pthread_t th;
	unsigned int idx;
	int fd;
	uint64_t start, end;
	bool writing;
	uint64_t rng;
	uint8_t *mem;
};

static uint32_t pick_bs(struct worker *w, uint64_t pos)
{
	unsigned int lo = __builtin_ctz(min_bs), hi = __builtin_ctz(max_bs);
	uint32_t bs = 1u << (lo + rng_next(&w->rng) % (hi - lo + 1));

	if (bs > w->end - pos)
		bs = (uint32_t)(w->end - pos);
	return bs;
}

static void verify_block(uint8_t *buf, uint64_t pos, uint32_t bs)
{
	uint64_t u, first = pos / UNIT, last = (pos + bs - 1) / UNIT;

	for (u = first; u <= last; u++) {
		const uint64_t *p = (const uint64_t *)(buf + (u * UNIT - pos));
		uint64_t uoff = u * UNIT, i, bad = 0;

		if (!ok_units[u - region_off / UNIT]) {
			atomic_fetch_add(&unverified_units, 1);
			continue;
		}
		for (i = 0; i < UNIT / 8; i++)
			if (p[i] != word_at(uoff + 8 * i))
				bad++;
		if (bad) {
			if (atomic_fetch_add(&mismatch_units, 1) < 5)
				fprintf(stderr, "pp-dio: MISMATCH at offset %#" PRIx64 ": %" PRIu64 " of %u words differ (got %#" PRIx64 ", want %#" PRIx64 ")\n",
					uoff, bad, UNIT / 8, p[0], word_at(uoff));
			atomic_fetch_add(&mismatches, bad * 8);
		}
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t pos = w->start;
	uint8_t *buf;
	uint32_t bs;
	ssize_t n;

	while (pos < w->end) {
		bs = pick_bs(w, pos);
		buf = w->mem + (misalign ? 512 * (rng_next(&w->rng) % 8) : 0);
		if (w->writing) {
			fill((uint64_t *)buf, pos, bs);
			n = pwrite(w->fd, buf, bs, (off_t)pos);
		} else {
			memset(buf, 0xa5, bs);
			n = pread(w->fd, buf, bs, (off_t)pos);
		}
		if (n != (ssize_t)bs) {
			uint64_t e = atomic_fetch_add(&io_errors, 1);

			if (e < 5)
				fprintf(stderr, "pp-dio: %s of %u at %#" PRIx64 " failed: %s\n",
					w->writing ? "write" : "read", bs, pos,
					n < 0 ? strerror(errno) : "short");
			if (!tolerate)
				return NULL;
			if (w->writing) {
				uint64_t u;

				for (u = pos / UNIT; u <= (pos + bs - 1) / UNIT; u++)
					ok_units[u - region_off / UNIT] = 0;
			}
			pos += bs;
			continue;
		}
		if (w->writing) {
			uint64_t u;

			for (u = pos / UNIT; u <= (pos + bs - 1) / UNIT; u++)
				ok_units[u - region_off / UNIT] = 1;
		} else {
			verify_block(buf, pos, bs);
		}
		atomic_fetch_add(&bytes_done, bs);
		atomic_fetch_add(&ios_done, 1);
		pos += bs;
	}
	return NULL;
}

/* ---- pcipass stats sampling ---------------------------------------------- */

struct pstats {
	uint64_t live_requests, mapped_entries, maps, host_calls, doorbells;
	uint64_t map_failures, map_failed, map_sg_failed, unknown_unmaps;
	uint64_t peak_entries, peak_bytes, reuse_hits, idle_entries;
	bool ok;
};

static void read_stats(struct pstats *s)
{
	char line[256], key[128];
	unsigned long long v;
	FILE *f;

	memset(s, 0, sizeof(*s));
	if (!stats_path || !(f = fopen(stats_path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127[^=]=%llu", key, &v) != 2)
			continue;
#define K(name) if (!strcmp(key, #name)) s->name = v
		K(live_requests); K(mapped_entries); K(maps); K(host_calls);
		K(doorbells); K(map_failures); K(map_failed); K(map_sg_failed);
		K(unknown_unmaps); K(peak_entries); K(peak_bytes); K(reuse_hits);
		K(idle_entries);
#undef K
	}
	fclose(f);
	s->ok = true;
}

/* DART entries (idle ones included, and live ones only) per live request */
static double ratio_sum, live_sum;
static uint64_t ratio_n;
static double ratio_max, live_max;

static void *sampler(void *arg)
{
	struct pstats s;

	(void)arg;
	while (!atomic_load(&stop_sampler)) {
		read_stats(&s);
		if (s.ok && s.live_requests) {
			double r = (double)s.mapped_entries / s.live_requests;
			double l = (double)(s.mapped_entries - s.idle_entries) /
				   s.live_requests;

			ratio_sum += r;
			live_sum += l;
			ratio_n++;
			if (r > ratio_max)
				ratio_max = r;
			if (l > live_max)
				live_max = l;
		}
		usleep(100000);
	}
	return NULL;
}

/* ---- phases --------------------------------------------------------------- */

static int run_phase(bool writing, const char *name)
{
	struct worker *ws = calloc(nthreads, sizeof(*ws));
	uint64_t slice = region_size / nthreads / UNIT * UNIT, t0, ns;
	uint64_t e0 = atomic_load(&io_errors);
	unsigned int i;
	int fd;

	fd = open(dev_path, (writing ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "pp-dio: open %s: %s\n", dev_path, strerror(errno));
		return -1;
	}
	atomic_store(&bytes_done, 0);
	atomic_store(&ios_done, 0);
	t0 = now_ns();
	for (i = 0; i < nthreads; i++) {
		struct worker *w = &ws[i];

		w->idx = i;
		w->fd = fd;
		w->writing = writing;
		w->start = region_off + i * slice;
		w->end = i + 1 == nthreads ? region_off + region_size :
					     w->start + slice;
		w->rng = seed * 1000003 + i * 7919 + (writing ? 0 : 104729);
		if (posix_memalign((void **)&w->mem, 4096, max_bs + 4096)) {
			fprintf(stderr, "pp-dio: out of memory\n");
			return -1;
		}
		pthread_create(&w->th, NULL, work, w);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(ws[i].th, NULL);
		free(ws[i].mem);
	}
	if (writing && fsync(fd))
		fprintf(stderr, "pp-dio: fsync: %s\n", strerror(errno));
	ns = now_ns() - t0;
	close(fd);
	printf("%s_bytes=%" PRIu64 "\n", name, atomic_load(&bytes_done));
	printf("%s_ios=%" PRIu64 "\n", name, atomic_load(&ios_done));
	printf("%s_seconds=%.2f\n", name, ns / 1e9);
	printf("%s_mbps=%.1f\n", name,
	       atomic_load(&bytes_done) / 1048576.0 / (ns / 1e9));
	printf("%s_io_errors=%" PRIu64 "\n", name, atomic_load(&io_errors) - e0);
	free(ws);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: pp-dio [--mode write|verify|both] [--size B] [--offset B] [--seed N] [--threads N] [--min-bs B] [--max-bs B] [--misalign] [--tolerate-errors] [--stats FILE] DEVICE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct pstats s0, s1;
	pthread_t smp;
	uint64_t units, u;
	int i, rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--mode") && v) {
			mode = !strcmp(v, "write") ? 0 : !strcmp(v, "verify") ? 1 :
			       !strcmp(v, "both") ? 2 : -1;
			if (mode < 0)
				usage();
			i++;
		} else if (!strcmp(a, "--size") && v) {
			region_size = parse_size(v); i++;
		} else if (!strcmp(a, "--offset") && v) {
			region_off = parse_size(v); i++;
		} else if (!strcmp(a, "--seed") && v) {
			seed = strtoull(v, NULL, 0); i++;
		} else if (!strcmp(a, "--threads") && v) {
			nthreads = atoi(v); i++;
		} else if (!strcmp(a, "--min-bs") && v) {
			min_bs = parse_size(v); i++;
		} else if (!strcmp(a, "--max-bs") && v) {
			max_bs = parse_size(v); i++;
		} else if (!strcmp(a, "--stats") && v) {
			stats_path = v; i++;
		} else if (!strcmp(a, "--misalign")) {
			misalign = true;
		} else if (!strcmp(a, "--tolerate-errors")) {
			tolerate = true;
		} else if (a[0] != '-' && !dev_path) {
			dev_path = a;
		} else {
			usage();
		}
	}
	if (!dev_path || !nthreads || nthreads > 64 || min_bs < 4096 ||
	    max_bs < min_bs || (min_bs & (min_bs - 1)) ||
	    (max_bs & (max_bs - 1)) || region_size % UNIT || region_off % UNIT ||
	    region_size < (uint64_t)nthreads * UNIT)
		usage();

	units = region_size / UNIT;
	ok_units = calloc(units, 1);
	if (!ok_units)
		return 1;
	if (mode == 1)	/* verify only: everything was written before */
		for (u = 0; u < units; u++)
			ok_units[u] = 1;
	printf("device=%s\nsize=%" PRIu64 "\nthreads=%u\nmin_bs=%u\nmax_bs=%u\nseed=%" PRIu64 "\n",
	       dev_path, region_size, nthreads, min_bs, max_bs, seed);

	read_stats(&s0);
	if (stats_path)
		pthread_create(&smp, NULL, sampler, NULL);
	if (mode != 1 && run_phase(true, "write"))
		rc = 1;
	if (!rc && mode != 0 && run_phase(false, "read"))
		rc = 1;
	if (stats_path) {
		atomic_store(&stop_sampler, 1);
		pthread_join(smp, NULL);
	}
	read_stats(&s1);

	printf("io_errors=%" PRIu64 "\n", atomic_load(&io_errors));
	printf("mismatch_bytes=%" PRIu64 "\nmismatch_units=%" PRIu64 "\n",
	       atomic_load(&mismatches), atomic_load(&mismatch_units));
	printf("unverified_units=%" PRIu64 "\n", atomic_load(&unverified_units));
	if (s0.ok && s1.ok) {
		uint64_t maps = s1.maps - s0.maps;

		printf("pcipass_maps=%" PRIu64 "\n", maps);
		printf("pcipass_host_calls=%" PRIu64 "\n", s1.host_calls - s0.host_calls);
		printf("pcipass_doorbells=%" PRIu64 "\n", s1.doorbells - s0.doorbells);
		printf("pcipass_host_calls_per_1000_maps=%.1f\n",
		       maps ? 1000.0 * (s1.host_calls - s0.host_calls) / maps : 0.0);
		printf("pcipass_reuse_hits=%" PRIu64 "\n", s1.reuse_hits - s0.reuse_hits);
		printf("pcipass_map_failures=%" PRIu64 "\n",
		       s1.map_failures - s0.map_failures);
		printf("pcipass_unknown_unmaps=%" PRIu64 "\n",
		       s1.unknown_unmaps - s0.unknown_unmaps);
		printf("pcipass_peak_entries=%" PRIu64 "\npcipass_peak_bytes=%" PRIu64 "\n",
		       s1.peak_entries, s1.peak_bytes);
		printf("pcipass_entries_per_live_mapping_avg=%.3f\n",
		       ratio_n ? ratio_sum / ratio_n : 0.0);
		printf("pcipass_entries_per_live_mapping_max=%.3f\n", ratio_max);
		printf("pcipass_live_entries_per_live_mapping_avg=%.3f\n",
		       ratio_n ? live_sum / ratio_n : 0.0);
		printf("pcipass_live_entries_per_live_mapping_max=%.3f\n", live_max);
		printf("pcipass_samples=%" PRIu64 "\n", ratio_n);
	}
	if (atomic_load(&mismatches))
		rc = 1;
	if (!tolerate && atomic_load(&io_errors))
		rc = 1;
	printf("result=%s\n", rc ? "FAIL" : "PASS");
	return rc;
}
