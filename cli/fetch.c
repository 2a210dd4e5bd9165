// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: resumable downloads with libcurl and sha256 with
 * OpenSSL's EVP interface (docs/cli.md, "Images").
 */
#include "fetch.h"
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

volatile int pp_fetch_interrupted;

/* ---- sha256 ---- */

struct pp_sha256 {
	EVP_MD_CTX *ctx;
};

struct pp_sha256 *pp_sha256_new(void)
{
	struct pp_sha256 *h = xcalloc(1, sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		fputs("pcipass: OpenSSL cannot do sha256\n", stderr);
		abort();
	}
	return h;
}

void pp_sha256_update(struct pp_sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void pp_sha256_final(struct pp_sha256 *h, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int pp_sha256_file(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct pp_sha256 *h;
	char *buf;
	int rc = 0;

	if (fd < 0)
		return -errno;
	h = pp_sha256_new();
	buf = xcalloc(1, 1 << 20);
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 20);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (!r)
			break;
		pp_sha256_update(h, buf, (size_t)r);
	}
	close(fd);
	free(buf);
	pp_sha256_final(h, hex);
	return rc;
}

bool pp_sha256_parse(const char *s, char hex[65])
{
	if (!s)
		return false;
	for (int i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		hex[i] = (char)tolower((unsigned char)s[i]);
	}
	if (s[64] && !isspace((unsigned char)s[64]))
		return false;
	hex[64] = '\0';
	return true;
}

/* ---- curl ---- */

static void curl_once(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = 1;
	}
}

static void curl_common(CURL *c, const char *url)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer (under 1 byte/s for 60 s) counts as cut */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pcipass");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

struct dl {
	CURL *c;
	int fd;
	const char *part;
	uint64_t have;       /* bytes in the file before this request */
	uint64_t written;    /* bytes written by this request */
	uint64_t total;
	uint64_t range_total; /* from Content-Range */
	bool started, restarted, refused, ioerr;
	long code;
	bool quiet, tty;
	int last_decile;
	double last_tty;
};

static size_t dl_header(char *buf, size_t sz, size_t n, void *arg)
{
	struct dl *d = arg;
	size_t len = sz * n;
	unsigned long long a, b, t;

	if (len > 14 && !strncasecmp(buf, "Content-Range:", 14)) {
		char tmp[128];
		size_t l = len - 14 < sizeof(tmp) - 1 ? len - 14 : sizeof(tmp) - 1;

		memcpy(tmp, buf + 14, l);
		tmp[l] = '\0';
		if (sscanf(tmp, " bytes %llu-%llu/%llu", &a, &b, &t) == 3)
			d->range_total = t;
		else if (sscanf(tmp, " bytes */%llu", &t) == 1)
			d->range_total = t;
	} else if (len > 5 && !strncmp(buf, "HTTP/", 5)) {
		d->range_total = 0;  /* a new response (after a redirect) */
	}
	return len;
}

/* The first body bytes: decide whether we append (206) or start over. */
static bool dl_start(struct dl *d)
{
	curl_off_t cl = -1;

	d->started = true;
	curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &d->code);
	curl_easy_getinfo(d->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (d->code >= 400 || (d->code >= 300 && d->code < 400)) {
		d->refused = true;
		return false;
	}
	if (d->code == 206) {
		d->total = d->range_total ? d->range_total :
			   cl >= 0 ? d->have + (uint64_t)cl : 0;
		if (lseek(d->fd, (off_t)d->have, SEEK_SET) < 0) {
			d->ioerr = true;
			return false;
		}
		return true;
	}
	/* 200 (a server that ignores Range, or a fresh download) */
	if (d->have) {
		d->restarted = true;
		d->have = 0;
	}
	if (ftruncate(d->fd, 0) || lseek(d->fd, 0, SEEK_SET) < 0) {
		d->ioerr = true;
		return false;
	}
	d->total = cl >= 0 ? (uint64_t)cl : 0;
	return true;
}

static size_t dl_write(char *buf, size_t sz, size_t n, void *arg)
{
	struct dl *d = arg;
	size_t len = sz * n, off = 0;

	if (!d->started && !dl_start(d))
		return 0;
	while (off < len) {
		ssize_t w = write(d->fd, buf + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			d->ioerr = true;
			return 0;
		}
		off += (size_t)w;
	}
	d->written += len;
	return len;
}

static void show(struct dl *d, bool final)
{
	uint64_t now = d->have + d->written;
	char a[32], b[32];

	if (d->quiet || !d->started || d->refused)
		return;
	if (d->tty) {
		if (d->total)
			fprintf(stderr, "\r  %3u%%  %s of %s   ",
				(unsigned int)(now * 100 / d->total),
				fmt_size(now, a), fmt_size(d->total, b));
		else
			fprintf(stderr, "\r  %s   ", fmt_size(now, a));
		if (final)
			fputc('\n', stderr);
		return;
	}
	if (!d->total)
		return;
	int dec = (int)(now * 10 / d->total);

	if (dec > d->last_decile) {
		d->last_decile = dec;
		fprintf(stderr, "  %3d%%  %s of %s\n", dec * 10,
			fmt_size(now, a), fmt_size(d->total, b));
	}
}

static int dl_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct dl *d = arg;
	struct timespec ts;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (pp_fetch_interrupted)
		return 1;
	if (d->tty) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;

		if (t - d->last_tty < 0.25)
			return 0;
		d->last_tty = t;
	}
	show(d, false);
	return 0;
}

static enum pp_fetch_status fail(struct pp_fetch_result *res,
				 enum pp_fetch_status st, char *why)
{
	res->why = why;
	return st;
}

enum pp_fetch_status pp_fetch(const char *url, const char *part, bool quiet,
			      struct pp_fetch_result *res)
{
	struct dl d = { .part = part, .quiet = quiet, .last_decile = -1 };
	char errbuf[CURL_ERROR_SIZE] = "";
	enum pp_fetch_status st = PP_FETCH_OK;
	struct stat sb;
	CURLcode cc;

	memset(res, 0, sizeof(*res));
	curl_once();
	d.fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d.fd < 0)
		return fail(res, PP_FETCH_ERROR,
			    xasprintf("cannot open %s: %s", part, strerror(errno)));
	if (fstat(d.fd, &sb)) {
		close(d.fd);
		return fail(res, PP_FETCH_ERROR,
			    xasprintf("cannot stat %s: %s", part, strerror(errno)));
	}
	d.have = (uint64_t)sb.st_size;
	d.tty = isatty(STDERR_FILENO);
	d.c = curl_easy_init();
	if (!d.c) {
		close(d.fd);
		return fail(res, PP_FETCH_ERROR, xstrdup("libcurl init failed"));
	}
	curl_common(d.c, url);
	curl_easy_setopt(d.c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(d.c, CURLOPT_WRITEFUNCTION, dl_write);
	curl_easy_setopt(d.c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(d.c, CURLOPT_HEADERFUNCTION, dl_header);
	curl_easy_setopt(d.c, CURLOPT_HEADERDATA, &d);
	curl_easy_setopt(d.c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(d.c, CURLOPT_XFERINFOFUNCTION, dl_progress);
	curl_easy_setopt(d.c, CURLOPT_XFERINFODATA, &d);
	if (d.have) {
		/* CURLOPT_RANGE, not RESUME_FROM: we handle a 200 ourselves */
		char range[32];

		snprintf(range, sizeof(range), "%" PRIu64 "-", d.have);
		curl_easy_setopt(d.c, CURLOPT_RANGE, range);
		res->resumed_at = d.have;
		if (!quiet)
			pp_info("resuming at byte %" PRIu64, d.have);
	}
	cc = curl_easy_perform(d.c);
	if (!d.started) {
		/* no body arrived: an empty file, an error page without body,
		 * or a 416 for a part that is already whole */
		curl_easy_getinfo(d.c, CURLINFO_RESPONSE_CODE, &d.code);
		if (cc == CURLE_OK && d.code == 416 && d.have &&
		    d.range_total == d.have) {
			d.total = d.have;
		} else if (cc == CURLE_OK && d.code == 416 && d.have) {
			/* the server's file changed size: start over next time */
			if (ftruncate(d.fd, 0) == 0)
				d.have = 0;
			d.refused = true;
		} else if (cc == CURLE_OK && (d.code == 200 || d.code == 206)) {
			dl_start(&d);  /* an empty body */
		} else if (cc == CURLE_OK) {
			d.refused = true;
		}
	}
	res->http_code = d.code;
	res->got = d.have + d.written;
	res->total = d.total;
	show(&d, true);

	if (pp_fetch_interrupted) {
		st = fail(res, PP_FETCH_INTERRUPTED,
			  xasprintf("download of %s interrupted after %" PRIu64
				    " bytes; re-running the same command resumes",
				    url, res->got));
	} else if (d.ioerr) {
		st = fail(res, PP_FETCH_ERROR,
			  xasprintf("cannot write %s: %s", part, strerror(errno)));
	} else if (d.refused) {
		st = fail(res, PP_FETCH_HTTP,
			  xasprintf("%s: the server answered HTTP %ld", url, d.code));
	} else if (cc != CURLE_OK && !d.started) {
		st = fail(res, PP_FETCH_ERROR,
			  xasprintf("%s: %s", url, *errbuf ? errbuf : curl_easy_strerror(cc)));
	} else if (cc != CURLE_OK || (d.total && res->got < d.total)) {
		st = fail(res, PP_FETCH_CUT,
			  d.total ?
			  xasprintf("download of %s cut after %" PRIu64 " of %" PRIu64
				    " bytes (%s); the partial file %s is kept: "
				    "re-running the same command resumes",
				    url, res->got, d.total,
				    *errbuf ? errbuf : curl_easy_strerror(cc), part) :
			  xasprintf("download of %s cut after %" PRIu64
				    " bytes (%s); the partial file %s is kept: "
				    "re-running the same command resumes",
				    url, res->got,
				    *errbuf ? errbuf : curl_easy_strerror(cc), part));
	} else if (d.total && res->got > d.total) {
		st = fail(res, PP_FETCH_ERROR,
			  xasprintf("%s: got %" PRIu64 " bytes, the server announced %"
				    PRIu64, url, res->got, d.total));
	}
	if (st == PP_FETCH_OK && d.restarted && !quiet)
		pp_info("(the server ignored the resume request: downloaded from the start)");
	if (fsync(d.fd) && st == PP_FETCH_OK)
		st = fail(res, PP_FETCH_ERROR,
			  xasprintf("cannot write %s: %s", part, strerror(errno)));
	close(d.fd);
	curl_easy_cleanup(d.c);
	return st;
}

struct mem {
	char *buf;
	size_t len, max;
	bool toobig;
};

static size_t mem_write(char *buf, size_t sz, size_t n, void *arg)
{
	struct mem *m = arg;
	size_t len = sz * n;

	if (m->len + len > m->max) {
		m->toobig = true;
		return 0;
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return len;
}

int pp_fetch_small(const char *url, size_t max, char **out, char **why)
{
	struct mem m = { .buf = xcalloc(1, max + 1), .max = max };
	char errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode cc;
	CURL *c;

	*out = NULL;
	*why = NULL;
	curl_once();
	c = curl_easy_init();
	if (!c) {
		free(m.buf);
		*why = xstrdup("libcurl init failed");
		return -ENOMEM;
	}
	curl_common(c, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (cc == CURLE_OK && code == 200) {
		m.buf[m.len] = '\0';
		*out = m.buf;
		return 0;
	}
	free(m.buf);
	if (m.toobig) {
		*why = xasprintf("%s: larger than %zu bytes", url, max);
		return -EFBIG;
	}
	if (cc != CURLE_OK) {
		*why = xasprintf("%s: %s", url, *errbuf ? errbuf : curl_easy_strerror(cc));
		return -EIO;
	}
	*why = xasprintf("%s: the server answered HTTP %ld", url, code);
	return code == 404 || code == 410 ? -ENOENT : -EIO;
}
