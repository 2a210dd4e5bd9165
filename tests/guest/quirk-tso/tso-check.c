// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tso-check: makes FEX-Emu's TSO prctl calls (static arm64 program for
 * tests/guest/quirk-tso).
 *
 *   tso-check stock      PR_GET_MEM_MODEL and PR_SET_MEM_MODEL must fail
 *                        with EINVAL (mainline behaviour)
 *   tso-check emulated   FEX's sequence must reach hardware TSO; GET says
 *                        DEFAULT (0), SET TSO/DEFAULT succeed, malformed
 *                        calls still fail with EINVAL, other prctls are
 *                        unaffected, and 4 threads x N calls all get the
 *                        right answers
 *
 * Prints "answered_get=N answered_set_tso=N answered_set_default=N" (the
 * calls the shim should have answered) for the init script to compare
 * with debugfs.  Exit 0 when every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

/* Asahi's downstream uapi, as FEX defines it */
#define PR_GET_MEM_MODEL 0x6d4d444c
#define PR_SET_MEM_MODEL 0x4d4d444c
#define PR_SET_MEM_MODEL_DEFAULT 0
#define PR_SET_MEM_MODEL_TSO 1

#define THREADS 4
#define PER_THREAD 5000

static int failures;
static long n_get, n_set_tso, n_set_default;

static void check(int ok, const char *what, long got, int err)
{
	printf("tso-check: %s: %s (result %ld, errno %d %s)\n",
	       ok ? "ok" : "FAILED", what, got, err, err ? strerror(err) : "");
	if (!ok)
		failures++;
}

static long pr(int opt, unsigned long a2, unsigned long a3, int *err)
{
	long r;

	errno = 0;
	r = prctl(opt, a2, a3, 0, 0);
	*err = r == -1 ? errno : 0;
	return r;
}

/* FEX::TSO::SetupTSOEmulation, restated: 1 if hardware TSO is used */
static int fex_setup(void)
{
	int result = prctl(PR_GET_MEM_MODEL, 0, 0, 0, 0);

	if (result == -1)
		return 0;
	n_get++;
	if (result == PR_SET_MEM_MODEL_DEFAULT &&
	    prctl(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_TSO, 0, 0, 0) == 0) {
		n_set_tso++;
		return 1;
	}
	return 0;
}

static void *hammer(void *arg)
{
	long bad = 0;
	int i;

	(void)arg;
	for (i = 0; i < PER_THREAD; i++) {
		if (prctl(PR_GET_MEM_MODEL, 0, 0, 0, 0) != 0)
			bad++;
		if (prctl(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_TSO, 0, 0, 0) != 0)
			bad++;
		if (prctl(PR_SET_MEM_MODEL, 7, 0, 0, 0) != -1 || errno != EINVAL)
			bad++;
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) < 0)
			bad++;
	}
	return (void *)bad;
}

static void other_prctls(void)
{
	char name[16] = "";
	long r;
	int err;

	r = pr(PR_SET_NAME, (unsigned long)"tso-probe", 0, &err);
	check(r == 0, "PR_SET_NAME unaffected", r, err);
	r = pr(PR_GET_NAME, (unsigned long)name, 0, &err);
	check(r == 0 && !strcmp(name, "tso-probe"), "PR_GET_NAME unaffected", r, err);
	r = pr(PR_GET_DUMPABLE, 0, 0, &err);
	check(r == 1, "PR_GET_DUMPABLE unaffected", r, err);
	r = pr(0x7a7a7a7a, 0, 0, &err);
	check(r == -1 && err == EINVAL, "unknown option still EINVAL", r, err);
}

int main(int argc, char **argv)
{
	pthread_t th[THREADS];
	long r, bad = 0;
	int err, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2 || (strcmp(argv[1], "stock") && strcmp(argv[1], "emulated"))) {
		fprintf(stderr, "usage: tso-check stock|emulated\n");
		return 2;
	}
	if (!strcmp(argv[1], "stock")) {
		r = pr(PR_GET_MEM_MODEL, 0, 0, &err);
		check(r == -1 && err == EINVAL, "GET fails with EINVAL", r, err);
		r = pr(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_TSO, 0, &err);
		check(r == -1 && err == EINVAL, "SET TSO fails with EINVAL", r, err);
		r = pr(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_DEFAULT, 0, &err);
		check(r == -1 && err == EINVAL, "SET DEFAULT fails with EINVAL", r, err);
		check(fex_setup() == 0, "FEX stays on software TSO", 0, 0);
		other_prctls();
		printf("answered_get=0 answered_set_tso=0 answered_set_default=0\n");
		printf("tso-check: %d failure(s)\n", failures);
		return failures ? 1 : 0;
	}

	check(fex_setup() == 1, "FEX's sequence selects hardware TSO", 0, 0);
	r = pr(PR_GET_MEM_MODEL, 0, 0, &err);
	n_get++;
	check(r == PR_SET_MEM_MODEL_DEFAULT, "GET answers DEFAULT (0) after SET TSO", r, err);
	r = pr(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_DEFAULT, 0, &err);
	n_set_default++;
	check(r == 0, "SET DEFAULT succeeds", r, err);
	r = pr(PR_SET_MEM_MODEL, 2, 0, &err);
	check(r == -1 && err == EINVAL, "SET 2 fails with EINVAL", r, err);
	r = pr(PR_GET_MEM_MODEL, 1, 0, &err);
	check(r == -1 && err == EINVAL, "GET with arg2=1 fails with EINVAL", r, err);
	r = pr(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_TSO, 1, &err);
	check(r == -1 && err == EINVAL, "SET TSO with arg3=1 fails with EINVAL", r, err);
	other_prctls();

	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (i = 0; i < THREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	n_get += (long)THREADS * PER_THREAD;
	n_set_tso += (long)THREADS * PER_THREAD;
	check(bad == 0, "4 threads: every GET/SET answered, others untouched", bad, 0);

	printf("answered_get=%ld answered_set_tso=%ld answered_set_default=%ld\n",
	       n_get, n_set_tso, n_set_default);
	printf("tso-check: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
