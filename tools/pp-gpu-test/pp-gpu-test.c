// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pp-gpu-test: guest userspace tool for the pcipass loopback GPU driver
 * (guest/pcipass_loopgpu, /dev/pcipass_loopgpuN).  Static arm64 program.
 *
 *   pp-gpu-test [global options] COMMAND [options]
 *
 *   info                      identity, BARs, vectors, engine, DART usage
 *   selftest [--size S] [--count N] [--seed X] [--coherent] [--rtt N] [--offset B]
 *                             copy SYS->VRAM->SYS and SYS->SYS through the
 *                             engine, verify every byte
 *   bench [--size S] [--count N] [--bar-bytes S] [--reg-iters N] [--rounds N]
 *                             copy bandwidth vs memcpy, interrupt round
 *                             trips, BAR1 (direct) vs BAR0 (trapped) access
 *   fault [--kind K[,K...]] [--addr A]
 *                             K: read write stale desc vram all (default
 *                             read,write,stale,desc,vram); the engine must
 *                             report each, the driver recover, and a
 *                             self-test pass afterwards
 *   latch [--method kernel|table|both] [--source trigger|fence|both]
 *                             a vector raised while masked arrives on
 *                             unmask, exactly once
 *   irq [--iters N]           IRQ_TRIGGER on every vector
 *   audio [--iters N]         the audio function: scratch and MSI
 *   dart                      pcipass_dma's view of the DART
 *
 * Global options: --dev PATH (default: the first /dev/pcipass_loopgpu*),
 * --prefix STR (put before every key=value line, e.g. "RESULT "),
 * --quiet (no human summary).
 *
 * Output: key=value lines (machine-readable, one per result) and lines
 * starting with "# " (the human summary).  Exit status 0 only when every
 * check of the command passed; 1 when a check failed; 2 for usage or
 * environment errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcipass_loopgpu.h"

#define SIMGPU_REG_SCRATCH 0x004	/* hosts/sim/sim_gpu_regs.h */
#define DBG_ROOT "/sys/kernel/debug/pcipass_dma"

static const char *prefix = "";
static bool quiet;
static int failures;
static int devfd = -1;
static const char *devpath;
static struct lg_info info;

/* ---- output ------------------------------------------------------------------- */

static void kv(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s%s=", prefix, key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void human(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void human(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void check(bool ok, const char *what, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *what, ...)
{
	va_list ap;

	if (!ok)
		failures++;
	printf("# %s ", ok ? "ok  " : "FAIL");
	va_start(ap, what);
	vprintf(what, ap);
	va_end(ap);
	putchar('\n');
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("pp-gpu-test: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* MB/s (10^6 bytes per second) */
static double mbps(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes * 1e3 / (double)ns : 0.0;
}

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

static const char *size_str(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30) && !(b & ((1ull << 30) - 1)))
		snprintf(buf, len, "%" PRIu64 " GiB", b >> 30);
	else if (b >= (1ull << 20) && !(b & ((1ull << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 " MiB", b >> 20);
	else if (b >= 1024 && !(b & 1023))
		snprintf(buf, len, "%" PRIu64 " KiB", b >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " B", b);
	return buf;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad number '%s'", s);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		die("bad size '%s'", s);
	return v;
}

static void stat_kv(const char *name, const struct lg_stat *st)
{
	char k[96];

	snprintf(k, sizeof(k), "%s_n", name);
	kv(k, "%" PRIu64, (uint64_t)st->n);
	snprintf(k, sizeof(k), "%s_min_us", name);
	kv(k, "%.1f", us(st->min));
	snprintf(k, sizeof(k), "%s_avg_us", name);
	kv(k, "%.1f", us(st->avg));
	snprintf(k, sizeof(k), "%s_p50_us", name);
	kv(k, "%.1f", us(st->p50));
	snprintf(k, sizeof(k), "%s_max_us", name);
	kv(k, "%.1f", us(st->max));
}

/* ---- the device ------------------------------------------------------------- */

static void open_dev(void)
{
	static char path[64];
	int i;

	if (!devpath) {
		for (i = 0; i < 16; i++) {
			snprintf(path, sizeof(path), "/dev/" LG_DEV_NAME "%d", i);
			if (access(path, F_OK) == 0) {
				devpath = path;
				break;
			}
		}
		if (!devpath)
			die("no /dev/" LG_DEV_NAME "N: is pcipass_loopgpu loaded and bound? "
			    "(it defers its probe until pcipass_dma is loaded)");
	}
	devfd = open(devpath, O_RDWR | O_CLOEXEC);
	if (devfd < 0)
		die("open %s: %s", devpath, strerror(errno));
	if (ioctl(devfd, LG_IOC_INFO, &info))
		die("LG_IOC_INFO: %s", strerror(errno));
	if (info.abi_version != LG_ABI_VERSION)
		die("driver ABI %u, tool ABI %u", info.abi_version, LG_ABI_VERSION);
}

static int xioctl(unsigned long cmd, void *arg, const char *what)
{
	int r = ioctl(devfd, cmd, arg);

	if (r)
		fprintf(stderr, "pp-gpu-test: %s: %s\n", what, strerror(errno));
	return r ? -errno : 0;
}

/* ---- pcipass_dma debugfs ---------------------------------------------------- */

static char dma_dir[320];

/* The pcipass_dma instance whose managed list has our BDF. */
static const char *find_dma_dir(void)
{
	DIR *d;
	struct dirent *e;
	char p[512], line[256];
	FILE *f;

	if (dma_dir[0])
		return dma_dir;
	d = opendir(DBG_ROOT);
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), DBG_ROOT "/%s/managed", e->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, info.bdf, strlen(info.bdf))) {
				snprintf(dma_dir, sizeof(dma_dir), DBG_ROOT "/%s", e->d_name);
				break;
			}
		fclose(f);
		if (dma_dir[0])
			break;
	}
	closedir(d);
	return dma_dir[0] ? dma_dir : NULL;
}

/* KEY=value from FILE in the pcipass_dma directory; false if absent */
static bool dma_kv(const char *file, const char *key, uint64_t *val)
{
	const char *dir = find_dma_dir();
	char p[512], line[256];
	size_t kl = strlen(key);
	bool found = false;
	FILE *f;

	if (!dir)
		return false;
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			*val = strtoull(line + kl + 1, NULL, 0);
			found = true;
			break;
		}
	fclose(f);
	return found;
}

static bool dma_write(const char *file, const char *val)
{
	const char *dir = find_dma_dir();
	char p[512];
	int fd;
	bool ok;

	if (!dir)
		return false;
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* Is any byte of [bus, bus+len) inside a live pcipass_dma window? */
static int bus_mapped(uint64_t bus, uint64_t len)
{
	const char *dir = find_dma_dir();
	char p[512], line[256];
	uint64_t gpa, wlen, wbus;
	int hit = 0;
	FILE *f;

	if (!dir)
		return -1;
	snprintf(p, sizeof(p), "%s/windows", dir);
	f = fopen(p, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNu64 " %" SCNx64, &gpa, &wlen, &wbus) != 3)
			continue;
		if (wbus < bus + len && bus < wbus + wlen)
			hit = 1;
	}
	fclose(f);
	return hit;
}

struct dart_snap {
	bool ok;
	uint64_t live_bytes, live_entries, cap_bytes, max_entries;
	uint64_t peak_entries, peak_bytes, maps, unmaps, map_failures, mapped_entries,
		mapped_bytes;
};

static struct dart_snap dart_read(void)
{
	struct dart_snap s = {};

	s.ok = dma_kv("usage", "live_bytes", &s.live_bytes) &&
	       dma_kv("usage", "live_entries", &s.live_entries);
	dma_kv("usage", "cap_bytes", &s.cap_bytes);
	dma_kv("usage", "max_entries", &s.max_entries);
	dma_kv("stats", "peak_entries", &s.peak_entries);
	dma_kv("stats", "peak_bytes", &s.peak_bytes);
	dma_kv("stats", "maps", &s.maps);
	dma_kv("stats", "unmaps", &s.unmaps);
	dma_kv("stats", "map_failures", &s.map_failures);
	dma_kv("stats", "mapped_entries", &s.mapped_entries);
	dma_kv("stats", "mapped_bytes", &s.mapped_bytes);
	return s;
}

static void dart_kv(const char *pfx, const struct dart_snap *s)
{
	char k[96];

#define DK(f) do { snprintf(k, sizeof(k), "%s" #f, pfx); kv(k, "%" PRIu64, s->f); } while (0)
	DK(live_bytes); DK(live_entries); DK(cap_bytes); DK(max_entries);
	DK(peak_entries); DK(peak_bytes); DK(maps); DK(unmaps); DK(map_failures);
	DK(mapped_entries); DK(mapped_bytes);
#undef DK
}

/* A thread sampling the device's DART usage while an ioctl runs. */
struct sampler {
	pthread_t th;
	volatile bool stop;
	uint64_t max_bytes, max_entries, samples;
};

static void *sampler_fn(void *arg)
{
	struct sampler *s = arg;
	uint64_t b, e;

	while (!s->stop) {
		if (dma_kv("usage", "live_bytes", &b) && dma_kv("usage", "live_entries", &e)) {
			if (b > s->max_bytes)
				s->max_bytes = b;
			if (e > s->max_entries)
				s->max_entries = e;
			s->samples++;
		}
		usleep(5000);
	}
	return NULL;
}

static void sampler_start(struct sampler *s)
{
	memset(s, 0, sizeof(*s));
	if (find_dma_dir() && pthread_create(&s->th, NULL, sampler_fn, s) == 0)
		return;
	s->stop = true;
	s->samples = UINT64_MAX;	/* not running */
}

static void sampler_stop(struct sampler *s)
{
	if (s->samples == UINT64_MAX)
		return;
	s->stop = true;
	pthread_join(s->th, NULL);
}

/* ---- info --------------------------------------------------------------------- */

static const char *state_name(uint32_t st)
{
	switch (st & 3) {
	case 0: return "idle";
	case 1: return "busy";
	case 2: return "error";
	default: return "?";
	}
}

static int count_msi_irqs(const char *bdf)
{
	char p[256];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/msi_irqs", bdf);
	d = opendir(p);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int cmd_info(void)
{
	struct dart_snap ds;
	char b0[32], b1[32], b2[32];
	unsigned int i;
	int msi;

	kv("bdf", "%s", info.bdf);
	kv("vendor", "0x%04x", info.vendor);
	kv("device", "0x%04x", info.device);
	kv("subsystem", "0x%04x:0x%04x", info.subvendor, info.subdevice);
	kv("class", "0x%06x", info.class_code);
	kv("revision", "%u", info.revision);
	kv("id_reg", "0x%08x", info.id_reg);
	kv("caps", "0x%x", info.caps);
	kv("bar0_start", "0x%" PRIx64, (uint64_t)info.bar_start[0]);
	kv("bar0_len", "%" PRIu64, (uint64_t)info.bar_len[0]);
	kv("bar1_start", "0x%" PRIx64, (uint64_t)info.bar_start[1]);
	kv("bar1_len", "%" PRIu64, (uint64_t)info.bar_len[1]);
	kv("vram_size", "%" PRIu64, (uint64_t)info.vram_size);
	kv("msix_vectors", "%u", info.nr_vectors);
	kv("msix_vectors_device", "%u", info.nr_vectors_dev);
	msi = count_msi_irqs(info.bdf);
	kv("msi_irqs_sysfs", "%d", msi);
	kv("dma_translated", "%u", info.dma_translated);
	kv("device_gone", "%u", info.device_gone);
	kv("engine_state", "%s", state_name(info.engine_status));
	kv("engine_status", "0x%x", info.engine_status);
	kv("engine_completed", "%u", info.completed);
	kv("engine_error_count", "%u", info.error_count);
	kv("engine_errors_handled", "%" PRIu64, (uint64_t)info.engine_errors_seen);
	kv("engine_resets", "%" PRIu64, (uint64_t)info.engine_resets);
	kv("ring_size", "%u", info.ring_size);
	kv("ring_bus", "0x%" PRIx64, (uint64_t)info.ring_bus);
	for (i = 0; i < info.nr_vectors && i < LG_MAX_VECTORS; i++) {
		char k[32];

		snprintf(k, sizeof(k), "irq_count_%u", i);
		kv(k, "%" PRIu64, (uint64_t)info.irq_count[i]);
	}
	kv("audio_present", "%u", info.audio_present);
	if (info.audio_present) {
		kv("audio_bdf", "%s", info.audio_bdf);
		kv("audio_vendor", "0x%04x", info.audio_vendor);
		kv("audio_device", "0x%04x", info.audio_device);
		kv("audio_class", "0x%06x", info.audio_class_code);
		kv("audio_id_reg", "0x%08x", info.audio_id_reg);
		kv("audio_bar0_len", "%" PRIu64, (uint64_t)info.audio_bar0_len);
		kv("audio_irq_mode", "%s", info.audio_irq_mode == 2 ? "msix" :
		   info.audio_irq_mode == 1 ? "msi" : "none");
		kv("audio_vectors", "%u", info.audio_nr_vectors);
		kv("audio_probe_scratch_ok", "%u", info.audio_probe_scratch_ok);
		kv("audio_probe_irq_ok", "%u", info.audio_probe_irq_ok);
	}
	ds = dart_read();
	kv("dart_available", "%d", ds.ok);
	if (ds.ok)
		dart_kv("dart_", &ds);

	human("device %s %04x:%04x class %06x rev %u, ID register %08x", info.bdf, info.vendor,
	      info.device, info.class_code, info.revision, info.id_reg);
	human("BAR0 %s (registers, trapped) @ 0x%" PRIx64 ", BAR1 %s (VRAM, direct-mapped) @ 0x%" PRIx64,
	      size_str(info.bar_len[0], b0, sizeof(b0)), (uint64_t)info.bar_start[0],
	      size_str(info.bar_len[1], b1, sizeof(b1)), (uint64_t)info.bar_start[1]);
	human("%u MSI-X vectors in use (device table: %u), engine %s, %u descriptors completed",
	      info.nr_vectors, info.nr_vectors_dev, state_name(info.engine_status), info.completed);
	human("DMA %s", info.dma_translated ? "translated by pcipass_dma (DART)" :
	      "NOT translated (pcipass_dma not managing this device)");
	if (info.audio_present)
		human("audio function %s %04x:%04x class %06x, BAR0 %s, %s, probe: scratch %s, interrupt %s",
		      info.audio_bdf, info.audio_vendor, info.audio_device, info.audio_class_code,
		      size_str(info.audio_bar0_len, b2, sizeof(b2)),
		      info.audio_irq_mode == 2 ? "MSI-X" : info.audio_irq_mode == 1 ? "MSI" : "no IRQ",
		      info.audio_probe_scratch_ok ? "ok" : "FAILED",
		      info.audio_probe_irq_ok ? "ok" : "FAILED");
	else
		human("no audio function bound to pcipass_loopaud in this slot");
	if (ds.ok)
		human("DART (device view): %" PRIu64 " entries, %s live of %s cap",
		      ds.live_entries, size_str(ds.live_bytes, b0, sizeof(b0)),
		      size_str(ds.cap_bytes, b1, sizeof(b1)));
	if (info.device_gone)
		human("the device reads as all ones: unplugged (or reset by the host)");
	check(info.vendor == 0x7070 && info.device == 0x1000, "identity 7070:1000");
	check(!info.device_gone, "device answers");
	check(info.dma_translated, "DMA through pcipass_dma");
	return 0;
}

/* ---- selftest --------------------------------------------------------------------- */

struct st_opts {
	uint64_t size;
	uint32_t count, rtt, flags, offset;
	uint64_t seed;
};

/* Runs one self-test; prints its keys with @pfx; returns true if verified. */
static bool run_selftest(const struct st_opts *o, const char *pfx, struct lg_selftest *out,
			 struct sampler *smp)
{
	struct lg_selftest st = {
		.size = o->size, .count = o->count, .flags = o->flags,
		.seed = o->seed, .rtt_iters = o->rtt, .offset = o->offset,
	};
	uint64_t expect;
	char k[96], b0[32];
	int r;

	if (smp)
		sampler_start(smp);
	r = xioctl(LG_IOC_SELFTEST, &st, "self-test");
	if (smp)
		sampler_stop(smp);
	if (out)
		*out = st;
#define K(name) (snprintf(k, sizeof(k), "%s%s", pfx, name), k)
	kv(K("status"), "%s", r ? strerror(-r) : "ok");
	kv(K("size"), "%" PRIu64, o->size);
	kv(K("count"), "%u", o->count);
	kv(K("seed"), "%" PRIu64, o->seed);
	kv(K("offset"), "%u", o->offset);
	kv(K("coherent"), "%d", !!(o->flags & LG_ST_COHERENT));
	kv(K("bytes_verified"), "%" PRIu64, (uint64_t)st.bytes_verified);
	kv(K("mismatches"), "%" PRIu64, (uint64_t)st.mismatches);
	kv(K("descriptors"), "%u", st.descriptors);
	kv(K("irqs_completion"), "%u", st.irqs_completion);
	kv(K("irqs_error"), "%u", st.irqs_error);
	kv(K("vram_spot_checks"), "%" PRIu64, (uint64_t)st.vram_spot_checks);
	kv(K("vram_spot_bad"), "%" PRIu64, (uint64_t)st.vram_spot_bad);
	kv(K("s2v_mbps"), "%.1f", mbps(st.bytes_s2v, st.ns_s2v));
	kv(K("v2s_mbps"), "%.1f", mbps(st.bytes_v2s, st.ns_v2s));
	kv(K("s2s_mbps"), "%.1f", mbps(st.bytes_s2s, st.ns_s2s));
	kv(K("kernel_memcpy_mbps"), "%.1f", mbps(st.bytes_memcpy, st.ns_memcpy));
	kv(K("map_us"), "%.1f", us(st.ns_map));
	kv(K("dart_bus_lo"), "0x%" PRIx64, (uint64_t)st.dart_bus_lo);
	kv(K("dart_bus_hi"), "0x%" PRIx64, (uint64_t)st.dart_bus_hi);
	if (o->flags & LG_ST_RTT) {
		stat_kv(K("fence_rtt"), &st.fence_rtt);
		stat_kv(K("fence_wake"), &st.fence_wake);
		stat_kv(K("trigger_rtt"), &st.trigger_rtt);
		if (st.fence_rtt.n) {
			char list[LG_MAX_SAMPLES * 12] = "", *p = list;
			uint64_t j, ns = st.fence_rtt.n < LG_MAX_SAMPLES ? st.fence_rtt.n :
					 LG_MAX_SAMPLES;

			for (j = 0; j < ns; j++)
				p += snprintf(p, sizeof(list) - (size_t)(p - list), "%s%.1f",
					      j ? "," : "", us(st.samples[j]));
			kv(K("fence_rtt_samples_us"), "%s", list);
		}
	}
	if (smp && smp->samples != UINT64_MAX) {
		kv(K("dart_live_entries_max"), "%" PRIu64, smp->max_entries);
		kv(K("dart_live_bytes_max"), "%" PRIu64, smp->max_bytes);
		kv(K("dart_samples"), "%" PRIu64, smp->samples);
	}
#undef K
	expect = (uint64_t)o->count * o->size *
		 (!!(o->flags & LG_ST_VRAM) + !!(o->flags & LG_ST_S2S));
	human("self-test: %u x %s%s%s, seed %" PRIu64 ": %" PRIu64 " bytes verified, %" PRIu64 " mismatches",
	      o->count, size_str(o->size, b0, sizeof(b0)), o->offset ? " at a page offset" : "",
	      o->flags & LG_ST_COHERENT ? " (coherent buffers)" : " (dma_map_single)", o->seed,
	      (uint64_t)st.bytes_verified, (uint64_t)st.mismatches);
	if (st.mismatches)
		human("first mismatch: buffer %u offset %u", (unsigned int)(st.first_mismatch >> 32),
		      (unsigned int)st.first_mismatch);
	human("engine: SYS->VRAM %.1f MB/s, VRAM->SYS %.1f MB/s, SYS->SYS %.1f MB/s; kernel memcpy %.1f MB/s",
	      mbps(st.bytes_s2v, st.ns_s2v), mbps(st.bytes_v2s, st.ns_v2s),
	      mbps(st.bytes_s2s, st.ns_s2s), mbps(st.bytes_memcpy, st.ns_memcpy));
	if (o->flags & LG_ST_RTT)
		human("interrupt round trip: fence %.1f us median (%.1f..%.1f), IRQ_TRIGGER %.1f us median",
		      us(st.fence_rtt.p50), us(st.fence_rtt.min), us(st.fence_rtt.max),
		      us(st.trigger_rtt.p50));
	return !r && !st.mismatches && st.bytes_verified == expect && !st.vram_spot_bad &&
	       !st.irqs_error && !st.engine_errors;
}

static void st_defaults(struct st_opts *o)
{
	o->size = 1 << 20;
	o->count = 8;
	o->rtt = 32;
	o->seed = 1;
	o->flags = LG_ST_DEFAULT;
}

static bool st_option(struct st_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if ((!strcmp(a, "--size") || !strcmp(a, "--count") || !strcmp(a, "--seed") ||
	     !strcmp(a, "--rtt") || !strcmp(a, "--offset")) && *i + 1 >= argc)
		die("%s needs a value", a);
	if (!strcmp(a, "--size"))
		o->size = parse_size(argv[++*i]);
	else if (!strcmp(a, "--count"))
		o->count = (uint32_t)parse_size(argv[++*i]);
	else if (!strcmp(a, "--seed"))
		o->seed = parse_size(argv[++*i]);
	else if (!strcmp(a, "--rtt"))
		o->rtt = (uint32_t)parse_size(argv[++*i]);
	else if (!strcmp(a, "--offset"))
		o->offset = (uint32_t)parse_size(argv[++*i]);
	else if (!strcmp(a, "--coherent"))
		o->flags |= LG_ST_COHERENT;
	else if (!strcmp(a, "--no-s2s"))
		o->flags &= ~LG_ST_S2S;
	else if (!strcmp(a, "--no-vram"))
		o->flags &= ~LG_ST_VRAM;
	else
		return false;
	return true;
}

static int cmd_selftest(int argc, char **argv)
{
	struct st_opts o;
	struct sampler smp;
	bool ok;
	int i;

	st_defaults(&o);
	for (i = 0; i < argc; i++)
		if (!st_option(&o, argc, argv, &i))
			die("selftest: unknown option %s", argv[i]);
	if (!o.rtt)
		o.flags &= ~LG_ST_RTT;
	ok = run_selftest(&o, "", NULL, &smp);
	check(ok, "self-test verified every byte");
	return 0;
}

/* ---- bench ------------------------------------------------------------------------- */

static void fill_user(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t x = seed | 1, *w = (uint64_t *)p;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

/* userspace memcpy of count buffers of size (best of 3) */
static uint64_t user_memcpy_ns(uint64_t size, uint32_t count)
{
	uint8_t **s = calloc(count, sizeof(*s)), **d = calloc(count, sizeof(*d));
	uint64_t best = UINT64_MAX, t;
	uint32_t i, r;

	if (!s || !d)
		die("out of memory");
	for (i = 0; i < count; i++) {
		s[i] = aligned_alloc(4096, (size + 4095) & ~4095ull);
		d[i] = aligned_alloc(4096, (size + 4095) & ~4095ull);
		if (!s[i] || !d[i])
			die("out of memory");
		fill_user(s[i], size, i + 1);
		memset(d[i], 0, size);
	}
	for (r = 0; r < 3; r++) {
		t = now_ns();
		for (i = 0; i < count; i++)
			memcpy(d[i], s[i], size);
		t = now_ns() - t;
		if (t < best)
			best = t;
	}
	for (i = 0; i < count; i++) {
		if (memcmp(d[i], s[i], size))
			die("memcpy miscompare");
		free(s[i]);
		free(d[i]);
	}
	free(s);
	free(d);
	return best;
}

/* mmap a BAR through sysfs; NULL (and a reason) when refused */
static volatile void *map_bar(int bar, size_t len, const char **why)
{
	char p[256];
	void *m;
	int fd;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/resource%d", info.bdf, bar);
	fd = open(p, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		*why = errno == EINVAL ?
			"EINVAL (CONFIG_IO_STRICT_DEVMEM refuses sysfs mmap of a BAR a driver "
			"owns; boot with iomem=relaxed)" : strerror(errno);
		return NULL;
	}
	return m;
}

struct bar_user {
	bool ok;
	uint64_t bar1_bytes, ns_bar1_write, ns_bar1_read;
	uint32_t reg_iters;
	uint64_t ns_bar0_write, ns_bar0_read;
	bool bar1_verify, bar0_verify;
};

static struct bar_user bar_bench_user(uint64_t bytes, uint32_t iters)
{
	struct bar_user b = { .bar1_bytes = bytes, .reg_iters = iters };
	volatile uint64_t *v;
	volatile uint32_t *r;
	const char *why = "";
	uint64_t i, t, bad = 0;
	uint32_t last = 0, rd = 0;

	v = map_bar(1, bytes, &why);
	if (!v) {
		kv("bar_user", "unavailable");
		human("userspace BAR access through sysfs unavailable: %s", why);
		return b;
	}
	r = map_bar(0, 4096, &why);
	if (!r) {
		munmap((void *)v, bytes);
		kv("bar_user", "unavailable");
		human("userspace BAR0 mapping unavailable: %s", why);
		return b;
	}
	/* BAR1: 8-byte stores (Device memory: no unaligned access, no DC ZVA) */
	t = now_ns();
	for (i = 0; i < bytes / 8; i++)
		v[i] = i * 0x9e3779b97f4a7c15ull;
	b.ns_bar1_write = now_ns() - t;
	t = now_ns();
	for (i = 0; i < bytes / 8; i++)
		bad += v[i] != i * 0x9e3779b97f4a7c15ull;
	b.ns_bar1_read = now_ns() - t;
	b.bar1_verify = !bad;
	/* BAR0: the SCRATCH register, every access trapped */
	t = now_ns();
	for (i = 0; i < iters; i++) {
		last = 0x3a000000u ^ (uint32_t)i;
		r[SIMGPU_REG_SCRATCH / 4] = last;
	}
	b.ns_bar0_write = now_ns() - t;
	t = now_ns();
	for (i = 0; i < iters; i++)
		rd = r[SIMGPU_REG_SCRATCH / 4];
	b.ns_bar0_read = now_ns() - t;
	b.bar0_verify = rd == last;
	munmap((void *)v, bytes);
	munmap((void *)r, 4096);
	b.ok = true;
	return b;
}

static int cmd_bench(int argc, char **argv)
{
	struct st_opts o;
	struct lg_selftest st, best;
	struct lg_irqtest it = { .iters = 16 };
	struct lg_barbench kb = {};
	struct bar_user ub;
	struct sampler smp;
	struct dart_snap ds;
	uint64_t bar_bytes = 4 << 20, ns_umemcpy, total;
	uint32_t reg_iters = 20000, rounds = 3, r;
	double copy, umem, w1, w0;
	char b0[32];
	bool ok;
	int i;

	st_defaults(&o);
	o.rtt = 64;
	for (i = 0; i < argc; i++) {
		if (st_option(&o, argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--bar-bytes") && i + 1 < argc)
			bar_bytes = parse_size(argv[++i]) & ~7ull;
		else if (!strcmp(argv[i], "--reg-iters") && i + 1 < argc)
			reg_iters = (uint32_t)parse_size(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (uint32_t)parse_size(argv[++i]);
		else
			die("bench: unknown option %s", argv[i]);
	}
	if (!rounds)
		rounds = 1;
	if (bar_bytes > info.bar_len[1])
		bar_bytes = info.bar_len[1];

	ok = run_selftest(&o, "", &st, &smp);
	check(ok, "self-test verified every byte");

	/*
	 * A copy of a few MiB takes a few ms, of the order of one interrupt
	 * round trip on a busy host: best of rounds, for the engine as for
	 * memcpy (which user_memcpy_ns() also runs 3 times).
	 */
	best = st;
	for (r = 1; r < rounds; r++) {
		struct lg_selftest x = {
			.size = o.size, .count = o.count, .seed = o.seed + r,
			.flags = (o.flags & ~LG_ST_RTT) | LG_ST_MEMCPY, .offset = o.offset,
		};

		if (xioctl(LG_IOC_SELFTEST, &x, "self-test") || x.mismatches ||
		    x.bytes_verified != st.bytes_verified) {
			check(false, "self-test round %u verified every byte", r + 1);
			continue;
		}
		if (x.ns_s2v && x.ns_s2v < best.ns_s2v)
			best.ns_s2v = x.ns_s2v;
		if (x.ns_v2s && x.ns_v2s < best.ns_v2s)
			best.ns_v2s = x.ns_v2s;
		if (x.ns_s2s && x.ns_s2s < best.ns_s2s)
			best.ns_s2s = x.ns_s2s;
		if (x.ns_memcpy && x.ns_memcpy < best.ns_memcpy)
			best.ns_memcpy = x.ns_memcpy;
	}
	kv("rounds", "%u", rounds);
	kv("s2v_best_mbps", "%.1f", mbps(best.bytes_s2v, best.ns_s2v));
	kv("v2s_best_mbps", "%.1f", mbps(best.bytes_v2s, best.ns_v2s));
	kv("s2s_best_mbps", "%.1f", mbps(best.bytes_s2s, best.ns_s2s));
	kv("kernel_memcpy_best_mbps", "%.1f", mbps(best.bytes_memcpy, best.ns_memcpy));

	total = (uint64_t)o.count * o.size;
	ns_umemcpy = user_memcpy_ns(o.size, o.count);
	kv("user_memcpy_mbps", "%.1f", mbps(total, ns_umemcpy));
	copy = mbps(best.bytes_s2s, best.ns_s2s);
	umem = mbps(total, ns_umemcpy);
	kv("s2s_vs_user_memcpy", "%.2f", umem > 0 ? copy / umem : 0.0);
	kv("s2v_vs_user_memcpy", "%.2f",
	   umem > 0 ? mbps(best.bytes_s2v, best.ns_s2v) / umem : 0.0);

	if (!xioctl(LG_IOC_IRQTEST, &it, "irq test")) {
		stat_kv("irq_trigger_rtt", &it.rtt);
		kv("irq_vectors", "%u", it.nr_vectors);
		kv("irq_lost", "%" PRIu64, (uint64_t)it.lost);
		check(!it.lost, "IRQ_TRIGGER on %u vectors x %u: all delivered", it.nr_vectors,
		      it.iters);
	} else {
		check(false, "irq test");
	}

	/* BAR access from userspace (sysfs) and from the kernel */
	ub = bar_bench_user(bar_bytes, reg_iters);
	if (ub.ok) {
		w1 = (double)ub.ns_bar1_write / (double)(bar_bytes / 8);
		w0 = (double)ub.ns_bar0_write / (double)reg_iters;
		kv("bar_user", "sysfs");
		kv("bar1_write_mbps", "%.1f", mbps(bar_bytes, ub.ns_bar1_write));
		kv("bar1_read_mbps", "%.1f", mbps(bar_bytes, ub.ns_bar1_read));
		kv("bar1_write_ns_per_access", "%.1f", w1);
		kv("bar1_read_ns_per_access", "%.1f",
		   (double)ub.ns_bar1_read / (double)(bar_bytes / 8));
		kv("bar0_write_ns_per_access", "%.1f", w0);
		kv("bar0_read_ns_per_access", "%.1f", (double)ub.ns_bar0_read / reg_iters);
		kv("bar0_writes_per_s", "%.0f", reg_iters * 1e9 / (double)ub.ns_bar0_write);
		kv("bar0_write_mbps", "%.2f", mbps(4ull * reg_iters, ub.ns_bar0_write));
		kv("bar1_vs_bar0_write_speedup", "%.1f", w1 > 0 ? w0 / w1 : 0.0);
		check(ub.bar1_verify && ub.bar0_verify, "BAR1 and BAR0 read back what was written");
		human("userspace BAR1 (direct) writes: %.1f MB/s, %.1f ns per 8-byte store; BAR0 (trapped) %.0f writes/s, %.1f ns each: direct is %.1fx faster per access",
		      mbps(bar_bytes, ub.ns_bar1_write), w1, reg_iters * 1e9 / (double)ub.ns_bar0_write,
		      w0, w1 > 0 ? w0 / w1 : 0.0);
	}
	kb.reg_iters = reg_iters;
	kb.vram_bytes = bar_bytes;
	if (!xioctl(LG_IOC_BARBENCH, &kb, "BAR bench")) {
		w1 = (double)kb.ns_vram_write / (double)(bar_bytes / 8);
		w0 = (double)kb.ns_reg_write / reg_iters;
		kv("kbar1_write_mbps", "%.1f", mbps(bar_bytes, kb.ns_vram_write));
		kv("kbar1_read_mbps", "%.1f", mbps(bar_bytes, kb.ns_vram_read));
		kv("kbar1_write_ns_per_access", "%.1f", w1);
		kv("kbar0_write_ns_per_access", "%.1f", w0);
		kv("kbar0_read_ns_per_access", "%.1f", (double)kb.ns_reg_read / reg_iters);
		kv("kbar1_vs_kbar0_write_speedup", "%.1f", w1 > 0 ? w0 / w1 : 0.0);
		check(kb.reg_readback_ok && kb.vram_readback_ok,
		      "kernel BAR bench read back what it wrote");
		human("kernel BAR1 (direct) writes: %.1f MB/s, %.1f ns per 8-byte store; BAR0 (trapped) %.1f ns per write: %.1fx",
		      mbps(bar_bytes, kb.ns_vram_write), w1, w0, w1 > 0 ? w0 / w1 : 0.0);
	} else {
		check(false, "kernel BAR bench");
	}

	ds = dart_read();
	if (ds.ok)
		dart_kv("dart_", &ds);
	human("copy engine SYS->SYS %.1f MB/s vs guest memcpy %.1f MB/s (%.2fx) for %u x %s, best of %u",
	      copy, umem, umem > 0 ? copy / umem : 0.0, o.count, size_str(o.size, b0, sizeof(b0)),
	      rounds);
	return 0;
}

/* ---- fault ----------------------------------------------------------------------- */

static const char *err_name(uint32_t e)
{
	static const char *const n[] = { "none", "DMA_READ", "DMA_WRITE", "BAD_DESC",
					 "VRAM_RANGE", "BUS_MASTER", "BAD_RING" };

	return e < sizeof(n) / sizeof(n[0]) ? n[e] : "unknown";
}

/* A stale bus address no longer mapped in the DART; 0 when none found. */
static uint64_t stale_addr(uint64_t *len_out)
{
	static const uint64_t sizes[] = { 64 << 10, 1 << 20, 4 << 20 };
	struct lg_stale s;
	unsigned int i;
	int m;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.len = sizes[i];
		if (xioctl(LG_IOC_STALE_ADDR, &s, "stale address"))
			return 0;
		/* drop pcipass_dma's idle (unreferenced) mappings now */
		dma_write("reclaim", "1");
		m = bus_mapped(s.bus, s.len);
		if (m == 0) {
			*len_out = s.len;
			return s.bus;
		}
		human("stale %s buffer at bus 0x%" PRIx64 " still inside a live window (%d); trying a larger one",
		      i ? "large" : "small", (uint64_t)s.bus, m);
		if (m < 0)
			return 0;
	}
	return 0;
}

static bool fault_one(const char *kind, uint32_t k, uint64_t addr)
{
	static const uint32_t expect[] = { 0, 1, 2, 3, 4 };
	struct lg_fault f = { .kind = k, .addr = addr };
	char key[96];
	bool ok;
	int r;

	r = xioctl(LG_IOC_FAULT, &f, "fault");
#define K(n) (snprintf(key, sizeof(key), "fault_%s_%s", kind, n), key)
	kv(K("addr"), "0x%" PRIx64, (uint64_t)f.addr_used);
	kv(K("error"), "%s", err_name(f.error_code));
	kv(K("fault_addr"), "0x%" PRIx64, (uint64_t)f.fault_addr);
	kv(K("error_irqs"), "%u", f.error_irqs);
	kv(K("completion_irqs"), "%u", f.completion_irqs);
	kv(K("irq_us"), "%.1f", us(f.irq_ns));
	kv(K("error_count"), "%u->%u", f.error_count_before, f.error_count_after);
	kv(K("compl_written"), "%u", f.compl_written);
	kv(K("reset_ok"), "%u", f.reset_ok);
	ok = !r && f.error_code == expect[k] &&
	     f.fault_addr == (k <= LG_FAULT_WRITE ? f.addr_used : f.desc_bus) &&
	     f.error_irqs == 1 && !f.completion_irqs && !f.compl_written &&
	     f.error_count_after == f.error_count_before + 1 && f.reset_ok &&
	     ((f.engine_status & 3) == 2);
	kv(K("ok"), "%d", ok);
#undef K
	check(ok, "fault %-5s: engine %s at 0x%" PRIx64 " (injected 0x%" PRIx64 "), error IRQ %s in %.1f us, no completion, engine reset %s",
	      kind, err_name(f.error_code), (uint64_t)f.fault_addr,
	      (uint64_t)(k <= LG_FAULT_WRITE ? f.addr_used : f.desc_bus),
	      f.error_irqs == 1 ? "received" : f.error_irqs ? "DUPLICATED" : "MISSING",
	      us(f.irq_ns), f.reset_ok ? "ok" : "FAILED");
	return ok;
}

static int cmd_fault(int argc, char **argv)
{
	const char *kinds = "read,write,stale,desc,vram";
	struct st_opts o;
	uint64_t addr = 0, slen = 0, sbus;
	char *list, *tok, *save;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--kind") && i + 1 < argc)
			kinds = argv[++i];
		else if (!strcmp(argv[i], "--addr") && i + 1 < argc)
			addr = parse_size(argv[++i]);
		else
			die("fault: unknown option %s", argv[i]);
	}
	if (!strcmp(kinds, "all"))
		kinds = "read,write,stale,desc,vram";
	list = strdup(kinds);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "read")) {
			fault_one("read", LG_FAULT_READ, addr);
		} else if (!strcmp(tok, "write")) {
			fault_one("write", LG_FAULT_WRITE, addr);
		} else if (!strcmp(tok, "stale")) {
			sbus = stale_addr(&slen);
			kv("fault_stale_bus", "0x%" PRIx64, sbus);
			if (!sbus) {
				check(false, "no stale bus address found (pcipass_dma debugfs missing?)");
				continue;
			}
			human("stale: a %" PRIu64 "-byte buffer was mapped at bus 0x%" PRIx64 ", then unmapped and reclaimed",
			      slen, sbus);
			fault_one("stale", LG_FAULT_READ, sbus);
		} else if (!strcmp(tok, "desc")) {
			fault_one("desc", LG_FAULT_DESC, 0);
		} else if (!strcmp(tok, "vram")) {
			fault_one("vram", LG_FAULT_VRAM, 0);
		} else {
			die("fault: unknown kind %s", tok);
		}
	}
	free(list);

	/* the engine must work again */
	st_defaults(&o);
	o.size = 256 << 10;
	o.count = 4;
	o.rtt = 0;
	o.flags &= ~LG_ST_RTT;
	check(run_selftest(&o, "after_fault_", NULL, NULL), "self-test after the faults verified every byte");
	if (!ioctl(devfd, LG_IOC_INFO, &info)) {
		kv("engine_errors_handled", "%" PRIu64, (uint64_t)info.engine_errors_seen);
		kv("engine_error_count", "%u", info.error_count);
	}
	return 0;
}

/* ---- latch ------------------------------------------------------------------------- */

static bool latch_one(uint32_t method, uint32_t source)
{
	struct lg_latch l = { .mask_method = method, .source = source };
	const char *mn = method == LG_LATCH_MASK_KERNEL ? "kernel" : "table";
	const char *sn = source == LG_LATCH_SRC_TRIGGER ? "trigger" : "fence";
	char key[96];
	bool ok;
	int r;

	r = xioctl(LG_IOC_LATCH, &l, "latch");
#define K(n) (snprintf(key, sizeof(key), "latch_%s_%s_%s", mn, sn, n), key)
	kv(K("vector"), "%u", l.vector);
	kv(K("ctrl_masked"), "0x%x", l.ctrl_masked);
	kv(K("ctrl_unmasked"), "0x%x", l.ctrl_unmasked);
	kv(K("pba_masked"), "0x%x", l.pba_masked);
	if (source == LG_LATCH_SRC_FENCE)
		kv(K("fence_done"), "%u", l.fence_done);
	kv(K("irqs_while_masked"), "%u", l.irqs_while_masked);
	kv(K("irqs_after_unmask"), "%u", l.irqs_after_unmask);
	kv(K("irqs_after_retrigger"), "%u", l.irqs_after_retrigger);
	kv(K("unmask_to_irq_us"), "%.1f", us(l.unmask_to_irq_ns));
	ok = !r && (l.ctrl_masked & 1) && !(l.ctrl_unmasked & 1) && !l.irqs_while_masked &&
	     l.irqs_after_unmask == 1 && l.irqs_after_retrigger == 1 &&
	     (source != LG_LATCH_SRC_FENCE || l.fence_done);
	kv(K("ok"), "%d", ok);
#undef K
	check(ok, "latch (%s mask, %s): %u while masked%s, %u after unmask (%.1f us), %u after a new trigger",
	      mn, sn, l.irqs_while_masked,
	      source == LG_LATCH_SRC_FENCE ? (l.fence_done ? ", fence completed" : ", fence NOT completed") : "",
	      l.irqs_after_unmask, us(l.unmask_to_irq_ns), l.irqs_after_retrigger);
	return ok;
}

static int cmd_latch(int argc, char **argv)
{
	const char *method = "both", *source = "both";
	int i, m, s;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--method") && i + 1 < argc)
			method = argv[++i];
		else if (!strcmp(argv[i], "--source") && i + 1 < argc)
			source = argv[++i];
		else
			die("latch: unknown option %s", argv[i]);
	}
	for (m = LG_LATCH_MASK_KERNEL; m <= LG_LATCH_MASK_TABLE; m++) {
		if (strcmp(method, "both") &&
		    strcmp(method, m == LG_LATCH_MASK_KERNEL ? "kernel" : "table"))
			continue;
		for (s = LG_LATCH_SRC_TRIGGER; s <= LG_LATCH_SRC_FENCE; s++) {
			if (strcmp(source, "both") &&
			    strcmp(source, s == LG_LATCH_SRC_TRIGGER ? "trigger" : "fence"))
				continue;
			latch_one((uint32_t)m, (uint32_t)s);
		}
	}
	return 0;
}

/* ---- irq, audio, dart ------------------------------------------------------------- */

static int cmd_irq(int argc, char **argv)
{
	struct lg_irqtest it = { .iters = 8 };
	unsigned int v;
	char k[32];
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			it.iters = (uint32_t)parse_size(argv[++i]);
		else
			die("irq: unknown option %s", argv[i]);
	}
	if (xioctl(LG_IOC_IRQTEST, &it, "irq test")) {
		check(false, "irq test");
		return 0;
	}
	kv("irq_vectors", "%u", it.nr_vectors);
	for (v = 0; v < it.nr_vectors && v < LG_MAX_VECTORS; v++) {
		snprintf(k, sizeof(k), "irq_delivered_%u", v);
		kv(k, "%" PRIu64, (uint64_t)it.delivered[v]);
	}
	kv("irq_lost", "%" PRIu64, (uint64_t)it.lost);
	stat_kv("irq_trigger_rtt", &it.rtt);
	check(!it.lost, "IRQ_TRIGGER on %u vectors x %u: %" PRIu64 " lost, round trip %.1f us median",
	      it.nr_vectors, it.iters, (uint64_t)it.lost, us(it.rtt.p50));
	return 0;
}

static int cmd_audio(int argc, char **argv)
{
	struct lg_audio a = { .iters = 8 };
	int i, r;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			a.iters = (uint32_t)parse_size(argv[++i]);
		else
			die("audio: unknown option %s", argv[i]);
	}
	r = xioctl(LG_IOC_AUDIO, &a, "audio");
	kv("audio_present", "%u", r ? 0 : a.present);
	if (r) {
		check(false, "audio function bound in the GPU's slot");
		return 0;
	}
	kv("audio_bdf", "%s", info.audio_bdf);
	kv("audio_id_reg", "0x%08x", a.id_reg);
	kv("audio_bar0_len", "%" PRIu64, (uint64_t)info.audio_bar0_len);
	kv("audio_irq_mode", "%s", info.audio_irq_mode == 2 ? "msix" :
	   info.audio_irq_mode == 1 ? "msi" : "none");
	kv("audio_scratch_ok", "%u", a.scratch_ok);
	kv("audio_irqs_delivered", "%u", a.irqs_delivered);
	kv("audio_irqs_lost", "%u", a.irqs_lost);
	stat_kv("audio_irq_rtt", &a.rtt);
	check(((a.id_reg >> 16) & 0xff) == 0x02, "audio ID register 0x%08x (implementation 2)", a.id_reg);
	check(a.scratch_ok, "audio SCRATCH register reads back what was written");
	check(a.irqs_delivered == a.iters && !a.irqs_lost,
	      "audio %s: %u of %u triggers delivered, %.1f us median",
	      info.audio_irq_mode == 2 ? "MSI-X" : "MSI", a.irqs_delivered, a.iters,
	      us(a.rtt.p50));
	return 0;
}

static int cmd_dart(void)
{
	struct dart_snap ds = dart_read();
	char b0[32], b1[32];

	kv("dart_available", "%d", ds.ok);
	if (!ds.ok) {
		check(false, "pcipass_dma debugfs (%s) for %s", DBG_ROOT, info.bdf);
		return 0;
	}
	kv("dart_dir", "%s", find_dma_dir());
	dart_kv("dart_", &ds);
	human("DART (device view): %" PRIu64 " entries, %s live; policy peak %" PRIu64 " entries, %s",
	      ds.live_entries, size_str(ds.live_bytes, b0, sizeof(b0)), ds.peak_entries,
	      size_str(ds.peak_bytes, b1, sizeof(b1)));
	return 0;
}

/* ---- main ---------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pp-gpu-test [--dev PATH] [--prefix STR] [--quiet] COMMAND [options]\n"
		"  info\n"
		"  selftest [--size S] [--count N] [--seed X] [--rtt N] [--offset B] [--coherent]\n"
		"           [--no-s2s] [--no-vram]\n"
		"  bench    [selftest options] [--bar-bytes S] [--reg-iters N] [--rounds N]\n"
		"  fault    [--kind read,write,stale,desc,vram|all] [--addr BUS]\n"
		"  latch    [--method kernel|table|both] [--source trigger|fence|both]\n"
		"  irq      [--iters N]\n"
		"  audio    [--iters N]\n"
		"  dart\n");
}

int main(int argc, char **argv)
{
	const char *cmd;
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc)
			devpath = argv[++i];
		else if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			prefix = argv[++i];
		else if (!strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[i++];
	open_dev();
	argc -= i;
	argv += i;
	if (!strcmp(cmd, "info"))
		cmd_info();
	else if (!strcmp(cmd, "selftest"))
		cmd_selftest(argc, argv);
	else if (!strcmp(cmd, "bench"))
		cmd_bench(argc, argv);
	else if (!strcmp(cmd, "fault"))
		cmd_fault(argc, argv);
	else if (!strcmp(cmd, "latch"))
		cmd_latch(argc, argv);
	else if (!strcmp(cmd, "irq"))
		cmd_irq(argc, argv);
	else if (!strcmp(cmd, "audio"))
		cmd_audio(argc, argv);
	else if (!strcmp(cmd, "dart"))
		cmd_dart();
	else {
		usage(stderr);
		return 2;
	}
	kv("failures", "%d", failures);
	return failures ? 1 : 0;
}
