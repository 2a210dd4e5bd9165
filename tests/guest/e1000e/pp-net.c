// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pp-net: the guest side of the e1000e test.  Connects to the host peer
 * (peer.py) through QEMU user networking, sends BYTES of seeded data, then
 * receives the peer's data, checking CRC-32s both ways.
 *
 *   pp-net HOST PORT BYTES SEED
 *
 * Wire: guest -> peer  "PPN1" u64 bytes u64 seed, then the bytes;
 *       peer -> guest  u32 crc32 of what it received, u64 n, u32 crc32 of
 *                      the n bytes that follow, then the bytes
 * (all little-endian).  Output: key=value lines; exit 0 when both CRCs
 * match.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t c, i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* zlib's crc32(): start with 0, feed chunks */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	ssize_t r;

	while (n) {
		r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (n) {
		r = write(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint64_t buf[CHUNK / 8];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t bytes, seed, sent = 0, got = 0, n, i, word = 0;
	uint32_t crc_tx = 0, crc_rx = 0, peer_crc, want_crc;
	uint8_t hdr[20], rhdr[16];
	double t0, t1, t2, t3;
	int fd = -1, tries;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 5) {
		fprintf(stderr, "usage: pp-net HOST PORT BYTES SEED\n");
		return 2;
	}
	crc_init();
	sa.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	bytes = strtoull(argv[3], NULL, 0);
	seed = strtoull(argv[4], NULL, 0);

	for (tries = 0; tries < 60; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		fprintf(stderr, "pp-net: connect: %s (retrying)\n", strerror(errno));
		close(fd);
		fd = -1;
		sleep(1);
	}
	if (fd < 0) {
		printf("result=FAIL\nreason=connect\n");
		return 1;
	}

	memcpy(hdr, "PPN1", 4);
	memcpy(hdr + 4, &bytes, 8);
	memcpy(hdr + 12, &seed, 8);
	if (write_full(fd, hdr, sizeof(hdr)))
		goto io_fail;
	t0 = now();
	while (sent < bytes) {
		n = bytes - sent < CHUNK ? bytes - sent : CHUNK;
		for (i = 0; i < (n + 7) / 8; i++)
			buf[i] = mix(seed ^ word++);
		crc_tx = crc32_update(crc_tx, (uint8_t *)buf, n);
		if (write_full(fd, buf, n))
			goto io_fail;
		sent += n;
	}
	t1 = now();
	if (read_full(fd, rhdr, sizeof(rhdr)))
		goto io_fail;
	memcpy(&peer_crc, rhdr, 4);
	memcpy(&n, rhdr + 4, 8);
	memcpy(&want_crc, rhdr + 12, 4);
	t2 = now();
	while (got < n) {
		uint64_t m = n - got < CHUNK ? n - got : CHUNK;
		ssize_t r = read(fd, buf, m);

		if (r <= 0)
			goto io_fail;
		crc_rx = crc32_update(crc_rx, (uint8_t *)buf, r);
		got += r;
	}
	t3 = now();
	close(fd);
	printf("sent_bytes=%" PRIu64 "\nsent_crc32=%08x\npeer_crc32=%08x\n",
	       sent, crc_tx, peer_crc);
	printf("recv_bytes=%" PRIu64 "\nrecv_crc32=%08x\nexpected_recv_crc32=%08x\n",
	       got, crc_rx, want_crc);
	printf("tx_mbps=%.1f\nrx_mbps=%.1f\n", sent / 1048576.0 / (t1 - t0),
	       got / 1048576.0 / (t3 - t2));
	if (peer_crc != crc_tx || crc_rx != want_crc) {
		printf("result=FAIL\nreason=crc\n");
		return 1;
	}
	printf("result=PASS\n");
	return 0;
io_fail:
	printf("result=FAIL\nreason=io after %" PRIu64 " sent, %" PRIu64 " received: %s\n",
	       sent, got, strerror(errno));
	return 1;
}
