/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit test of the trace parser (bench/trace.c), standalone: it needs no
 * core library.  Built and run by bench/tests/run:
 *
 *   cc -std=c11 -D_GNU_SOURCE -Ibench bench/tests/test_trace.c bench/trace.c
 *
 * With a file argument it parses that file instead and prints a summary
 * (exit 2 with "FILE:LINE: message" on an error), like replay --parse-only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

/* Parses text (lines separated by \n) and returns 0, or the 1-based line of
 * the first error (message in msg if non-NULL). */
static unsigned long parse_text(const char *text, struct trace *t, char *msg, size_t msgsz)
{
	struct trace_parser *p;
	struct trace_error err;
	unsigned long lineno = 0;
	const char *s = text;

	memset(t, 0, sizeof(*t));
	p = trace_parser_new(t);
	if (!p)
		abort();
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s + 1) : strlen(s);
		lineno++;
		if (trace_parser_line(p, s, len, lineno, &err)) {
			if (msg)
				snprintf(msg, msgsz, "%s", err.msg);
			trace_parser_free(p);
			return err.line ? err.line : (unsigned long)-1;
		}
		s += len;
	}
	trace_parser_free(p);
	return 0;
}

static void expect_error(const char *text, unsigned long line, const char *needle)
{
	struct trace t;
	char msg[256] = "";
	unsigned long got = parse_text(text, &t, msg, sizeof(msg));

	if (got != line || !strstr(msg, needle)) {
		fprintf(stderr, "expected error at line %lu containing '%s' for:\n%s\n"
			"got line %lu: %s\n", line, needle, text, got, msg);
		failures++;
	}
	trace_free(&t);
}

static void test_good(void)
{
	struct trace t;
	const char *text =
		"# a comment line\n"
		"\n"
		"map,1,0x40000000,4096\n"
		"  map , 2 , 40001000 , 8192   # trailing comment\n"
		"map,18446744073709551615,0XABCDEF000,1\r\n"
		"\t\n"
		"unmap,1\n"
		"map,1,0x50000000,16384\n"   /* id reused after unmap */
		"unmap,2\n"
		"map,3,0x0,4294967295\n"
		"unmap,18446744073709551615\n"
		"unmap , 3\n"
		"#end";

	CHECK(parse_text(text, &t, NULL, 0) == 0);
	CHECK(t.n == 9);
	CHECK(t.maps == 5);
	CHECK(t.unmaps == 4);
	CHECK(t.live_requests == 1);
	CHECK(t.nslots == 3);
	if (t.n == 9) {
		CHECK(t.ops[0].gpa == 0x40000000 && t.ops[0].size == 4096 && t.ops[0].slot == 0);
		CHECK(t.ops[1].gpa == 0x40001000 && t.ops[1].size == 8192 && t.ops[1].slot == 1);
		CHECK(t.ops[2].gpa == 0xabcdef000ull && t.ops[2].size == 1 && t.ops[2].slot == 2);
		CHECK(t.ops[3].slot == (0 | TRACE_UNMAP) && t.ops[3].size == 4096);
		CHECK(t.ops[4].slot == 0 && t.ops[4].gpa == 0x50000000); /* slot reused */
		CHECK(t.ops[5].slot == (1 | TRACE_UNMAP) && t.ops[5].size == 8192);
		CHECK(t.ops[6].slot == 1 && t.ops[6].size == 0xffffffffu);
		CHECK(t.ops[7].slot == (2 | TRACE_UNMAP));
		CHECK(t.ops[8].slot == (1 | TRACE_UNMAP));
	}
	/* 4096 + 8192 + 1, then -4096 +16384 -8192 + 4294967295 */
	CHECK(t.peak_live_bytes == 16384 + 1 + 4294967295ull);
	CHECK(t.live_bytes == 16384);
	trace_free(&t);

	CHECK(parse_text("", &t, NULL, 0) == 0 && t.n == 0);
	trace_free(&t);
	CHECK(parse_text("   # only\n#\n\n", &t, NULL, 0) == 0 && t.n == 0);
	trace_free(&t);
}

static void test_errors(void)
{
	expect_error("map,1,0x1000,4096\nmap,1,0x2000,4096\n", 2, "duplicate live id 1 (mapped at line 1");
	expect_error("map,1,0x1000,4096\nunmap,2\n", 2, "unmap of unknown id 2");
	expect_error("map,1,0x1000,4096\nunmap,1\nunmap,1\n", 3, "unmap of unknown id 1");
	expect_error("\n\nfoo,1\n", 3, "unknown operation 'foo'");
	expect_error("MAP,1,0x1000,4096\n", 1, "unknown operation 'MAP'");
	expect_error("map,1,0x1000\n", 1, "map takes 3 fields");
	expect_error("map,1,0x1000,4096,5\n", 1, "map takes 3 fields");
	expect_error("map,1,0x1000,4096,5,6,7\n", 1, "too many fields");
	expect_error("unmap\n", 1, "unmap takes 1 field");
	expect_error("unmap,1,2\n", 1, "unmap takes 1 field");
	expect_error("map,,0x1000,4096\n", 1, "bad id ''");
	expect_error("map,-1,0x1000,4096\n", 1, "bad id '-1'");
	expect_error("map,+1,0x1000,4096\n", 1, "bad id '+1'");
	expect_error("map,0x10,0x1000,4096\n", 1, "bad id '0x10'");
	expect_error("map,18446744073709551616,0x1000,4096\n", 1, "bad id");
	expect_error("map,1 2,0x1000,4096\n", 1, "bad id '1 2'");
	expect_error("map,1,0x,4096\n", 1, "bad gpa '0x'");
	expect_error("map,1,,4096\n", 1, "bad gpa ''");
	expect_error("map,1,0xg000,4096\n", 1, "bad gpa");
	expect_error("map,1,0x10000000000000000,4096\n", 1, "bad gpa");
	expect_error("map,1,-1000,4096\n", 1, "bad gpa");
	expect_error("map,1,0x1000,0\n", 1, "bad size '0'");
	expect_error("map,1,0x1000,4294967296\n", 1, "bad size");
	expect_error("map,1,0x1000,4k\n", 1, "bad size '4k'");
	expect_error("map,1,0x1000,0x1000\n", 1, "bad size");
	expect_error("map,1,0x1000,\n", 1, "bad size ''");
	expect_error("map,1,0xffffffffffffffff,2\n", 1, "runs past");
	expect_error("map,1,0x1000,4096 # ok\nmap,2,0x1000,4096;\n", 2, "bad size '4096;'");
	expect_error("map,1,0x1000,4096\n\n# x\nunmap,7 # c\n", 4, "unknown id 7");
	{
		static const char nul[] = "map,1,0x1000,4096\nmap,2\0,0x1,1\n";
		struct trace t;
		struct trace_parser *p;
		struct trace_error err;

		memset(&t, 0, sizeof(t));
		p = trace_parser_new(&t);
		CHECK(trace_parser_line(p, nul, 18, 1, &err) == 0);
		CHECK(trace_parser_line(p, nul + 18, sizeof(nul) - 1 - 18, 2, &err) == -1);
		CHECK(err.line == 2 && strstr(err.msg, "NUL"));
		CHECK(t.n == 1); /* refused line left nothing behind */
		trace_parser_free(p);
		trace_free(&t);
	}
}

/* Many ids with reuse, against a simple model: the hash table must never
 * lose or invent a live id, including across its growth and deletions. */
static void test_many(void)
{
	enum { N = 200000, IDS = 50000 };
	struct trace t;
	struct trace_parser *p;
	struct trace_error err;
	unsigned char *live = calloc(IDS, 1);
	uint64_t x = 12345, nlive = 0, peak = 0;
	char line[128];

	memset(&t, 0, sizeof(t));
	p = trace_parser_new(&t);
	for (unsigned long i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t id = (x >> 33) % IDS;
		/* Sparse large ids too: multiply into the 64-bit range. */
		uint64_t wid = id * 0x9e3779b97f4a7c15ull;
		int n;
		if (live[id])
			n = snprintf(line, sizeof(line), "unmap,%llu\n", (unsigned long long)wid);
		else
			n = snprintf(line, sizeof(line), "map,%llu,%llx,%u\n",
				     (unsigned long long)wid, (unsigned long long)(id << 12), 4096u);
		int rc = trace_parser_line(p, line, (size_t)n, i + 1, &err);
		CHECK(rc == 0);
		if (rc)
			break;
		live[id] ^= 1;
		nlive += live[id] ? 1 : (uint64_t)-1;
		if (nlive > peak)
			peak = nlive;
		/* Wrong-state operations must be refused and change nothing. */
		if ((i & 1023) == 0) {
			n = snprintf(line, sizeof(line), "map,%llu,1000,1\n", (unsigned long long)wid);
			CHECK((trace_parser_line(p, line, (size_t)n, i + 1, &err) == 0) == !live[id]);
			if (!live[id]) { /* it was accepted: undo with an unmap */
				n = snprintf(line, sizeof(line), "unmap,%llu\n", (unsigned long long)wid);
				CHECK(trace_parser_line(p, line, (size_t)n, i + 1, &err) == 0);
			}
		}
	}
	CHECK(t.live_requests == nlive);
	CHECK(t.nslots == peak);
	/* Every slot number in use at a time is below nslots, and a map's slot
	 * is the one its unmap names: check via a replay of slot occupancy. */
	unsigned char *occ = calloc(t.nslots + 1, 1);
	for (size_t i = 0; i < t.n; i++) {
		uint32_t s = t.ops[i].slot & TRACE_SLOT_MASK;
		CHECK(s < t.nslots);
		if (s >= t.nslots)
			break;
		if (t.ops[i].slot & TRACE_UNMAP) {
			CHECK(occ[s]);
			occ[s] = 0;
		} else {
			CHECK(!occ[s]);
			occ[s] = 1;
		}
	}
	free(occ);
	trace_parser_free(p);
	trace_free(&t);
	free(live);
}

static void test_numbers(void)
{
	uint64_t v;

	CHECK(bench_parse_size("1536M", &v) == 0 && v == 1536ull << 20);
	CHECK(bench_parse_size("2GiB", &v) == 0 && v == 2ull << 30);
	CHECK(bench_parse_size("16KB", &v) == 0 && v == 16384);
	CHECK(bench_parse_size("100", &v) == 0 && v == 100);
	CHECK(bench_parse_size("1T", &v) == -1);
	CHECK(bench_parse_size("-1", &v) == -1);
	CHECK(bench_parse_size("", &v) == -1);
	CHECK(bench_parse_u64("1M", &v) == -1);
	CHECK(bench_parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX);
	CHECK(bench_parse_u64("18446744073709551616", &v) == -1);
}

int main(int argc, char **argv)
{
	if (argc == 2) {
		struct trace t;
		struct trace_error err;
		FILE *f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;

		memset(&t, 0, sizeof(t));
		if (!f) {
			perror(argv[1]);
			return 2;
		}
		if (trace_load(f, &t, &err)) {
			fprintf(stderr, "%s:%lu: %s\n", argv[1], err.line, err.msg);
			return 2;
		}
		printf("ops=%zu maps=%" PRIu64 " unmaps=%" PRIu64 " peak_live_requests=%u"
		       " peak_live_bytes=%" PRIu64 " live_at_end=%" PRIu64 "\n",
		       t.n, t.maps, t.unmaps, t.nslots, t.peak_live_bytes, t.live_requests);
		trace_free(&t);
		return 0;
	}
	test_good();
	test_errors();
	test_many();
	test_numbers();
	if (failures) {
		fprintf(stderr, "test_trace: %d check(s) failed\n", failures);
		return 1;
	}
	printf("test_trace: all checks passed\n");
	return 0;
}
