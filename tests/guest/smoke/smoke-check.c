// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smoke-check: userspace half of the testbed smoke test (static arm64).
 *
 * Usage: smoke-check SEED
 * Checks that the pcipass_smoke module runs with SEED (module parameter and
 * debugfs), recomputes the buffer digest here with a table-free CRC-32, and
 * compares it with the module's.  Also checks that the module counts reads.
 * Exit 0 when everything matches, 1 otherwise, with one line per check.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBG "/sys/kernel/debug/pcipass_smoke/"
#define BUF_LEN 4096

static int failures;

static void check(int ok, const char *what, const char *detail)
{
	printf("smoke-check: %s: %s%s%s\n", ok ? "ok" : "FAILED", what,
	       detail ? ": " : "", detail ? detail : "");
	if (!ok)
		failures++;
}

/* read_u64: parse the whole file as one number in BASE; 0 on success */
static int read_u64(const char *path, int base, uint64_t *out)
{
	char line[64], *end;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "smoke-check: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		fprintf(stderr, "smoke-check: %s: empty\n", path);
		return -1;
	}
	fclose(f);
	errno = 0;
	*out = strtoull(line, &end, base);
	if (errno || end == line || (*end != '\n' && *end != '\0')) {
		fprintf(stderr, "smoke-check: %s: cannot parse '%s'\n", path, line);
		return -1;
	}
	return 0;
}

static uint32_t xorshift32(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* bitwise reflected CRC-32, polynomial 0xEDB88320 (zlib's crc32()) */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return ~crc;
}

int main(int argc, char **argv)
{
	uint64_t seed, param, digest, reads0, reads1;
	uint8_t buf[BUF_LEN];
	uint32_t x, want;
	char detail[128];
	char *end;

	if (argc != 2) {
		fprintf(stderr, "usage: smoke-check SEED\n");
		return 2;
	}
	seed = strtoull(argv[1], &end, 0);
	if (*end || !seed || seed > UINT32_MAX) {
		fprintf(stderr, "smoke-check: bad seed '%s'\n", argv[1]);
		return 2;
	}

	if (read_u64("/sys/module/pcipass_smoke/parameters/seed", 10, &param))
		return 1;
	snprintf(detail, sizeof(detail), "%" PRIu64, param);
	check(param == seed, "module parameter seed", detail);

	if (read_u64(DBG "seed", 10, &param))
		return 1;
	snprintf(detail, sizeof(detail), "%" PRIu64, param);
	check(param == seed, "debugfs seed", detail);

	x = (uint32_t)seed;
	for (size_t i = 0; i < BUF_LEN; i++) {
		x = xorshift32(x);
		buf[i] = x & 0xff;
	}
	want = crc32_ieee(buf, BUF_LEN);

	if (read_u64(DBG "reads", 10, &reads0) || read_u64(DBG "digest", 16, &digest) ||
	    read_u64(DBG "reads", 10, &reads1))
		return 1;
	snprintf(detail, sizeof(detail), "module %08" PRIx64 ", expected %08" PRIx32,
		 digest, want);
	check(digest == want, "digest", detail);
	snprintf(detail, sizeof(detail), "%" PRIu64 " -> %" PRIu64, reads0, reads1);
	check(reads1 == reads0 + 1, "read counter", detail);

	printf("smoke-check: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
