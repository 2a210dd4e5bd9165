// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pp-hostile: acts as a hostile guest against the pcipass-dma device,
 * through pcipass_dma's debugfs "raw" interface (module parameter
 * allow_raw=1).  Every malformed command must get the status
 * docs/protocol.md (sections 5, 9, 12) assigns it, nothing may stay mapped
 * (QUERY_USAGE before == after) and the device must keep working.
 *
 *   pp-hostile DEBUGFS_DIR       e.g. /sys/kernel/debug/pcipass_dma/0000:00:03.0
 *
 * Prints one line per case and key=value totals; exit 0 when all passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcipass/proto.h"
#include "pcipass/status.h"

#define MAXE 4096

static const char *dir;
static uint64_t raw_gpa, ram_base, ram_end;
static uint32_t max_batch, max_map_len;
static unsigned int passed, failed;

static struct {
	struct pp_cmd_header h;
	struct pp_cmd_entry e[MAXE];
} cmd;

static void die(const char *what)
{
	fprintf(stderr, "pp-hostile: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t read_key(const char *file, const char *key)
{
	char path[512], line[256], k[128];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127[^=]=%lli", k, &v) == 2 && !strcmp(k, key)) {
			fclose(f);
			return v;
		}
	}
	fclose(f);
	fprintf(stderr, "pp-hostile: no %s in %s\n", key, path);
	exit(1);
}

/* The System RAM range holding the raw buffer, from /proc/iomem. */
static void find_ram(void)
{
	unsigned long long a, b;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		die("/proc/iomem");
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == ' ' || !strstr(line, "System RAM"))
			continue;
		if (sscanf(line, "%llx-%llx", &a, &b) == 2 &&
		    raw_gpa >= a && raw_gpa <= b) {
			ram_base = a;
			ram_end = b + 1;
		}
	}
	fclose(f);
	if (!ram_end) {
		fprintf(stderr, "pp-hostile: raw buffer %#" PRIx64 " in no System RAM range\n",
			raw_gpa);
		exit(1);
	}
}

/* Writes the command (header + n entries as given), reads it back. */
static void submit(size_t nent)
{
	char path[512];
	size_t len = sizeof(cmd.h) + nent * sizeof(cmd.e[0]);
	int fd;

	snprintf(path, sizeof(path), "%s/raw", dir);
	fd = open(path, O_RDWR);
	if (fd < 0)
		die(path);
	if (write(fd, &cmd, len) != (ssize_t)len)
		die("write raw");
	if (pread(fd, &cmd, len, 0) != (ssize_t)len)
		die("read raw");
	close(fd);
}

/* Rings the doorbell with an arbitrary GPA; returns LAST_ERROR. */
static uint32_t doorbell(uint64_t gpa)
{
	char path[512], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/raw_gpa", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die(path);
	n = snprintf(buf, sizeof(buf), "%#" PRIx64, gpa);
	if (write(fd, buf, n) != n)
		die("write raw_gpa");
	close(fd);
	return (uint32_t)read_key("raw_gpa", "last_error");
}

static void header(uint32_t count)
{
	memset(&cmd, 0, sizeof(cmd));
	cmd.h.version = PP_PROTO_MAJOR;
	cmd.h.count = count;
	cmd.h.status = 0xdeadbeef;	/* out fields: the device overwrites */
	cmd.h.completed = 0xdeadbeef;
	cmd.h.cookie = 0x1122334455667788ull;
}

static void map_entry(struct pp_cmd_entry *e, uint64_t addr, uint32_t len,
		      uint8_t flags)
{
	memset(e, 0, sizeof(*e));
	e->op = PP_OP_MAP;
	e->flags = flags;
	e->addr = addr;
	e->len = len;
}

static void check(const char *name, int got, int want)
{
	if (got == want) {
		passed++;
		printf("ok   %-52s %s\n", name, pp_status_name(got));
	} else {
		failed++;
		printf("FAIL %-52s got %s (%d), want %s (%d)\n", name,
		       pp_status_name(got), got, pp_status_name(want), want);
	}
}

/* A whole command refused in its header: completed 0, no entry touched. */
static void expect_header(const char *name, int want)
{
	size_t n = cmd.h.count >= 1 && cmd.h.count <= 4 ? cmd.h.count : 1;
	uint32_t st_before = 0xabcdef01;

	cmd.e[0].status = st_before;
	submit(n);
	check(name, (int)cmd.h.status, want);
	if (cmd.h.status != PP_OK) {
		if (cmd.h.completed != 0) {
			failed++;
			printf("FAIL %-52s completed=%u after a refused header\n",
			       name, cmd.h.completed);
		}
		if (cmd.e[0].status != st_before) {
			failed++;
			printf("FAIL %-52s entry 0 touched after a refused header\n",
			       name);
		}
	}
	if (cmd.h.cookie != 0x1122334455667788ull) {
		failed++;
		printf("FAIL %-52s cookie changed\n", name);
	}
}

/* One entry in a valid command. */
static void expect_entry(const char *name, int want)
{
	cmd.h.version = PP_PROTO_MAJOR;
	cmd.h.count = 1;
	submit(1);
	if (cmd.h.status != PP_OK || cmd.h.completed != 1) {
		failed++;
		printf("FAIL %-52s header status %s completed %u\n", name,
		       pp_status_name(cmd.h.status), cmd.h.completed);
		return;
	}
	check(name, (int)cmd.e[0].status, want);
}

static void usage_now(uint64_t *bytes, uint64_t *entries)
{
	*bytes = read_key("usage", "live_bytes");
	*entries = read_key("usage", "live_entries");
}

static uint32_t map_one(uint64_t addr, uint32_t len, uint64_t *bus)
{
	header(1);
	map_entry(&cmd.e[0], addr, len, PP_MAP_RW);
	submit(1);
	if (cmd.h.status != PP_OK || cmd.e[0].status != PP_OK)
		return 0;
	*bus = cmd.e[0].bus;
	return cmd.e[0].handle;
}

static int unmap_one(uint32_t handle)
{
	header(1);
	cmd.e[0].op = PP_OP_UNMAP;
	cmd.e[0].handle = handle;
	submit(1);
	return cmd.h.status != PP_OK ? (int)cmd.h.status : (int)cmd.e[0].status;
}

int main(int argc, char **argv)
{
	uint64_t b0, e0, b1, e1, bus = 0;
	uint32_t h, le, i, n;
	char name[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: pp-hostile DEBUGFS_DIR\n");
		return 2;
	}
	dir = argv[1];
	raw_gpa = read_key("raw_gpa", "gpa");
	max_batch = (uint32_t)read_key("regs", "max_batch");
	max_map_len = (uint32_t)read_key("regs", "max_map_len");
	find_ram();
	usage_now(&b0, &e0);
	printf("raw_gpa=%#" PRIx64 " ram=[%#" PRIx64 ",%#" PRIx64 ") max_batch=%u max_map_len=%u usage=%" PRIu64 "/%" PRIu64 "\n",
	       raw_gpa, ram_base, ram_end, max_batch, max_map_len, b0, e0);

	/* ---- doorbell (D1-D4): reported in LAST_ERROR ---- */
	check("doorbell: GPA not 64-byte aligned", doorbell(raw_gpa + 8), PP_ERR_ALIGN);
	check("doorbell: GPA 0 (not RAM)", doorbell(0), PP_ERR_RANGE);
	check("doorbell: GPA in MMIO (GIC, 0x08000000)", doorbell(0x08000000), PP_ERR_RANGE);
	check("doorbell: GPA just past RAM", doorbell(ram_end), PP_ERR_RANGE);
	check("doorbell: GPA 2^64-64", doorbell(0xffffffffffffffc0ull), PP_ERR_RANGE);

	/* ---- header (H1-H4) ---- */
	header(1); cmd.h.version = 0;       expect_header("header: version 0", PP_ERR_VERSION);
	header(1); cmd.h.version = 2;       expect_header("header: version 2", PP_ERR_VERSION);
	header(1); cmd.h.version = 0xffff;  expect_header("header: version 0xffff", PP_ERR_VERSION);
	header(1); cmd.h.flags = 1;         expect_header("header: flags 1", PP_ERR_RESERVED);
	header(1); cmd.h.flags = 0x8000;    expect_header("header: flags 0x8000", PP_ERR_RESERVED);
	header(1); cmd.h.reserved = 1;      expect_header("header: reserved 1", PP_ERR_RESERVED);
	header(1); cmd.h.reserved2 = ~0u;   expect_header("header: reserved2 ~0", PP_ERR_RESERVED);
	header(0);                          expect_header("header: count 0", PP_ERR_COUNT);
	header(max_batch + 1);              expect_header("header: count MAX_BATCH+1", PP_ERR_COUNT);
	header(4097);                       expect_header("header: count 4097", PP_ERR_COUNT);
	header(0xffffffff);                 expect_header("header: count 2^32-1", PP_ERR_COUNT);
	header(0x80000000);                 expect_header("header: count 2^31", PP_ERR_COUNT);
	/* version is checked before count: the order of section 9 */
	header(0); cmd.h.version = 3;       expect_header("header: version 3 and count 0 (order)", PP_ERR_VERSION);
	header(0); cmd.h.flags = 2;         expect_header("header: flags 2 and count 0 (order)", PP_ERR_RESERVED);

	/* ---- entries (E1-E4) ---- */
	header(1); cmd.e[0].op = 0;        expect_entry("entry: op 0", PP_ERR_BADOP);
	header(1); cmd.e[0].op = 4;        expect_entry("entry: op 4", PP_ERR_BADOP);
	header(1); cmd.e[0].op = 0xff;     expect_entry("entry: op 255", PP_ERR_BADOP);
	header(1); map_entry(&cmd.e[0], raw_gpa, 4096, PP_MAP_RW);
	cmd.e[0].reserved = 1;             expect_entry("entry: MAP reserved 1", PP_ERR_RESERVED);
	header(1); map_entry(&cmd.e[0], raw_gpa, 4096, 0x04);
	expect_entry("entry: MAP flags 0x4 (unknown bit)", PP_ERR_RESERVED);
	header(1); map_entry(&cmd.e[0], raw_gpa, 4096, 0x83);
	expect_entry("entry: MAP flags 0x83", PP_ERR_RESERVED);
	header(1); map_entry(&cmd.e[0], raw_gpa, 4096, 0);
	expect_entry("entry: MAP flags 0", PP_ERR_INVAL);
	header(1); map_entry(&cmd.e[0], raw_gpa, 0, PP_MAP_RW);
	expect_entry("entry: MAP len 0", PP_ERR_INVAL);
	header(1); map_entry(&cmd.e[0], raw_gpa, max_map_len + 1, PP_MAP_RW);
	expect_entry("entry: MAP len MAX_MAP_LEN+1", PP_ERR_INVAL);
	header(1); map_entry(&cmd.e[0], 0xfffffffffffff000ull, 0x2000, PP_MAP_RW);
	expect_entry("entry: MAP addr+len wraps", PP_ERR_OVERFLOW);
	header(1); map_entry(&cmd.e[0], ~0ull, 2, PP_MAP_READ);
	expect_entry("entry: MAP addr 2^64-1 len 2", PP_ERR_OVERFLOW);
	header(1); map_entry(&cmd.e[0], 0, 4096, PP_MAP_RW);
	expect_entry("entry: MAP addr 0 (below RAM)", PP_ERR_RANGE);
	header(1); map_entry(&cmd.e[0], 0x08000000, 4096, PP_MAP_RW);
	expect_entry("entry: MAP MMIO (GIC)", PP_ERR_RANGE);
	header(1); map_entry(&cmd.e[0], ram_end, 4096, PP_MAP_RW);
	expect_entry("entry: MAP just past RAM", PP_ERR_RANGE);
	header(1); map_entry(&cmd.e[0], ram_end - 4096, 8192, PP_MAP_RW);
	expect_entry("entry: MAP straddling the end of RAM", PP_ERR_RANGE);
	header(1); map_entry(&cmd.e[0], ram_base - 4096, 8192, PP_MAP_RW);
	expect_entry("entry: MAP straddling the start of RAM", PP_ERR_RANGE);
	header(1); map_entry(&cmd.e[0], 0xffffffffffff0000ull, 4096, PP_MAP_RW);
	expect_entry("entry: MAP addr near 2^64", PP_ERR_RANGE);
	header(1); cmd.e[0].op = PP_OP_UNMAP;
	expect_entry("entry: UNMAP handle 0", PP_ERR_NOENT);
	header(1); cmd.e[0].op = PP_OP_UNMAP; cmd.e[0].handle = 0xfffffffe;
	expect_entry("entry: UNMAP never-issued handle", PP_ERR_NOENT);
	header(1); cmd.e[0].op = PP_OP_UNMAP; cmd.e[0].handle = 0x12345;
	cmd.e[0].addr = raw_gpa;
	expect_entry("entry: UNMAP with addr set (unused field)", PP_ERR_RESERVED);
	header(1); cmd.e[0].op = PP_OP_UNMAP; cmd.e[0].handle = 0x12345;
	cmd.e[0].flags = 1;
	expect_entry("entry: UNMAP with flags set", PP_ERR_RESERVED);
	header(1); cmd.e[0].op = PP_OP_UNMAP; cmd.e[0].handle = 0x12345;
	cmd.e[0].bus = 1;
	expect_entry("entry: UNMAP with bus set", PP_ERR_RESERVED);
	header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = 0;
	expect_entry("entry: QUERY kind 0", PP_ERR_BADOP);
	header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = 3;
	expect_entry("entry: QUERY kind 3", PP_ERR_BADOP);
	header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = PP_QUERY_MAPPING;
	expect_entry("entry: QUERY MAPPING handle 0", PP_ERR_NOENT);
	header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = PP_QUERY_MAPPING;
	cmd.e[0].handle = 0x7fffffff;
	expect_entry("entry: QUERY MAPPING never-issued handle", PP_ERR_NOENT);
	header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = PP_QUERY_USAGE;
	expect_entry("entry: QUERY USAGE", PP_OK);

	/* ---- a valid mapping, then double unmap and stale handle ---- */
	h = map_one(raw_gpa + 0x1200, 0xe00, &bus);
	check("sequence: MAP of the raw buffer", h ? PP_OK : (int)cmd.e[0].status, PP_OK);
	if (h) {
		check("sequence: bus keeps the 16 KiB page offset",
		      (bus & 0x3fff) == ((raw_gpa + 0x1200) & 0x3fff) ? PP_OK : PP_ERR_INVAL,
		      PP_OK);
		usage_now(&b1, &e1);
		check("sequence: usage counts the mapping",
		      e1 == e0 + 1 ? PP_OK : PP_ERR_INVAL, PP_OK);
		header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = PP_QUERY_MAPPING;
		cmd.e[0].handle = h;
		expect_entry("sequence: QUERY MAPPING of it", PP_OK);
		check("sequence: QUERY returns addr/len/bus",
		      cmd.e[0].addr == raw_gpa + 0x1200 && cmd.e[0].len == 0xe00 &&
		      cmd.e[0].bus == bus ? PP_OK : PP_ERR_INVAL, PP_OK);
		check("sequence: UNMAP", unmap_one(h), PP_OK);
		check("sequence: second UNMAP of the same handle", unmap_one(h), PP_ERR_NOENT);
		header(1); cmd.e[0].op = PP_OP_QUERY; cmd.e[0].flags = PP_QUERY_MAPPING;
		cmd.e[0].handle = h;
		expect_entry("sequence: QUERY MAPPING of the stale handle", PP_ERR_NOENT);
	}

	/* ---- a mixed batch: each entry has its own status ---- */
	header(5);
	map_entry(&cmd.e[0], raw_gpa, 4096, PP_MAP_READ);
	cmd.e[1].op = 9;
	map_entry(&cmd.e[2], 0, 4096, PP_MAP_RW);
	cmd.e[3].op = PP_OP_UNMAP;
	cmd.e[4].op = PP_OP_QUERY;
	cmd.e[4].flags = PP_QUERY_USAGE;
	submit(5);
	check("batch: header", (int)cmd.h.status, PP_OK);
	check("batch: completed == count", cmd.h.completed == 5 ? PP_OK : PP_ERR_COUNT, PP_OK);
	check("batch[0]: valid MAP", (int)cmd.e[0].status, PP_OK);
	check("batch[1]: op 9", (int)cmd.e[1].status, PP_ERR_BADOP);
	check("batch[2]: MAP outside RAM", (int)cmd.e[2].status, PP_ERR_RANGE);
	check("batch[3]: UNMAP handle 0", (int)cmd.e[3].status, PP_ERR_NOENT);
	check("batch[4]: QUERY USAGE sees batch[0]", (int)cmd.e[4].status, PP_OK);
	check("batch[4]: usage includes batch[0]",
	      cmd.e[4].len == e0 + 1 ? PP_OK : PP_ERR_INVAL, PP_OK);
	if (cmd.e[0].status == PP_OK)
		check("batch: UNMAP of batch[0]", unmap_one(cmd.e[0].handle), PP_OK);

	/* ---- a full batch of maps, then a full batch of unmaps ---- */
	n = max_batch < MAXE ? max_batch : MAXE;
	header(n);
	for (i = 0; i < n; i++)
		map_entry(&cmd.e[i], raw_gpa + (i % 16) * 512, 512, PP_MAP_RW);
	submit(n);
	le = 0;
	for (i = 0; i < n; i++)
		le += cmd.e[i].status == PP_OK;
	snprintf(name, sizeof(name), "full batch: %u MAPs", n);
	check(name, cmd.h.status == PP_OK && le == n ? PP_OK : PP_ERR_COUNT, PP_OK);
	{
		static uint32_t handles[MAXE];

		for (i = 0; i < n; i++)
			handles[i] = cmd.e[i].status == PP_OK ? cmd.e[i].handle : 0;
		header(n);
		for (i = 0; i < n; i++) {
			cmd.e[i].op = PP_OP_UNMAP;
			cmd.e[i].handle = handles[i];
		}
		submit(n);
		le = 0;
		for (i = 0; i < n; i++)
			le += cmd.e[i].status == PP_OK;
		snprintf(name, sizeof(name), "full batch: %u UNMAPs", n);
		check(name, cmd.h.status == PP_OK && le == n ? PP_OK : PP_ERR_COUNT, PP_OK);
	}
	/* count says 3, only one entry written: the rest are zeroes (op 0) */
	header(3);
	map_entry(&cmd.e[0], raw_gpa, 4096, 0);
	submit(3);
	check("short blob: entry 0 (MAP flags 0)", (int)cmd.e[0].status, PP_ERR_INVAL);
	check("short blob: entry 1 (all zero)", (int)cmd.e[1].status, PP_ERR_BADOP);
	check("short blob: entry 2 (all zero)", (int)cmd.e[2].status, PP_ERR_BADOP);

	/* ---- nothing stayed mapped ---- */
	usage_now(&b1, &e1);
	printf("usage_before=%" PRIu64 "/%" PRIu64 " usage_after=%" PRIu64 "/%" PRIu64 "\n",
	       b0, e0, b1, e1);
	check("usage unchanged (bytes and entries)",
	      b1 == b0 && e1 == e0 ? PP_OK : PP_ERR_INVAL, PP_OK);
	/* and the device still maps */
	h = map_one(raw_gpa, 4096, &bus);
	check("device still works: MAP", h ? PP_OK : PP_ERR_HOST, PP_OK);
	if (h)
		check("device still works: UNMAP", unmap_one(h), PP_OK);

	printf("hostile_cases_passed=%u\nhostile_cases_failed=%u\n", passed, failed);
	printf("result=%s\n", failed ? "FAIL" : "PASS");
	return failed ? 1 : 0;
}
