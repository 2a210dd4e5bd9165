/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DMA window policy: decides which host (DART) mappings back the guest's
 * DMA mappings.  It runs inside the guest module and, unchanged, in the
 * userspace tests and the replay benchmark, so it is freestanding: no libc,
 * memory and the host round trip come in through struct pp_win_ops.
 *
 * Small requests are served from aligned "windows" (16 KiB .. 4 MiB blocks of
 * guest-physical space) shared by refcount; the size of a new window adapts to
 * how densely its neighbourhood is used and to which DART limit (bytes or
 * entries) is closer.  Requests that fit no window get an exact (16 KiB
 * rounded) "direct" mapping.  Unreferenced mappings stay mapped for reuse
 * while the idle budget allows and are reclaimed under pressure; a failed
 * host map reclaims every idle mapping and retries smaller before failing.
 *
 * Not thread safe: the caller serialises (the module under a spinlock).  No
 * call sleeps; alloc may fail (atomic context) and that becomes PP_ERR_NOMEM.
 */
#ifndef PCIPASS_DMAWIN_H
#define PCIPASS_DMAWIN_H

#include "types.h"
#include "status.h"

#define PP_WIN_PAGE_SHIFT 14 /* DART page */
#define PP_WIN_MAX_SHIFT  26 /* largest window level supported */

/* One operation of a host round trip, produced by the policy. */
struct pp_host_op {
	uint8_t  op;      /* PP_OP_MAP or PP_OP_UNMAP (proto.h values) */
	uint8_t  prot;    /* MAP: PP_MAP_* */
	uint32_t len;     /* MAP: bytes, 16 KiB multiple */
	uint64_t gpa;     /* MAP: 16 KiB aligned guest-physical address */
	uint64_t bus;     /* MAP out */
	uint32_t handle;  /* MAP out, UNMAP in */
	int32_t  status;  /* out: enum pp_status */
};

struct pp_win_ops {
	void *ctx;
	void *(*alloc)(void *ctx, size_t size); /* may return NULL */
	void (*free)(void *ctx, void *p);
	/*
	 * One host round trip for n ops (n <= max_batch).  Fills bus/handle
	 * and a status per op; returns PP_OK or a status for the whole call
	 * (then no op took effect).
	 */
	int (*host)(void *ctx, struct pp_host_op *ops, unsigned int n);
};

enum pp_win_mode {
	PP_WIN_ADAPTIVE, /* pcipass: window size from density and pressure */
	PP_WIN_FIXED,    /* one window size (min_shift); direct otherwise */
};

struct pp_win_config {
	enum pp_win_mode mode;
	unsigned int min_shift;     /* smallest window (>= 14) */
	unsigned int max_shift;     /* largest window (<= PP_WIN_MAX_SHIFT) */
	uint64_t cap_bytes;         /* DART byte cap, from the device */
	uint32_t max_entries;       /* DART entry cap, from the device */
	uint64_t idle_bytes;        /* idle mappings kept at most (bytes) */
	uint32_t idle_entries;      /* ... and entries; 0 and 0: none kept */
	uint32_t max_expose;        /* adaptive: a window exposes at most this
				     * many times the bytes live in its block */
	uint32_t max_batch;         /* host ops per round trip */
	uint32_t max_map_len;       /* longest single host mapping */
};

/* Presets: pcipass (adaptive, idle reuse), strict (16 KiB exact, nothing
 * idle), reference (the first public version: 256 KiB windows, no reuse). */
void pp_win_config_pcipass(struct pp_win_config *c, uint64_t cap_bytes,
			   uint32_t max_entries);
void pp_win_config_strict(struct pp_win_config *c, uint64_t cap_bytes,
			  uint32_t max_entries);
void pp_win_config_reference(struct pp_win_config *c, uint64_t cap_bytes,
			     uint32_t max_entries);

struct pp_win;

/* NULL on invalid configuration or allocation failure. */
struct pp_win *pp_win_create(const struct pp_win_config *cfg,
			     const struct pp_win_ops *ops);
/* Unmaps everything still mapped (live or idle) and frees the policy. */
void pp_win_destroy(struct pp_win *w);

/* A guest DMA segment: gpa/len in, dma out. */
struct pp_win_seg {
	uint64_t gpa;
	uint64_t len;
	uint64_t dma;
};

/*
 * Maps n segments with at most one host round trip per max_batch new
 * mappings (reclaim of idle mappings rides along in the same trip).  All or
 * nothing: on failure no segment stays mapped and the status says why
 * (PP_ERR_NOSPC, PP_ERR_TOOMANY, PP_ERR_NOMEM, PP_ERR_INVAL, host errors).
 */
int pp_win_map(struct pp_win *w, struct pp_win_seg *segs, unsigned int n,
	       uint32_t prot);

/*
 * Drops the references of n segments mapped earlier (dma and len as returned
 * and requested).  Unknown segments are counted and skipped: returns PP_OK
 * if all were known, PP_ERR_NOENT otherwise.
 */
int pp_win_unmap(struct pp_win *w, const struct pp_win_seg *segs,
		 unsigned int n);

/* dma address -> guest-physical address (for sync ops).  PP_ERR_NOENT if
 * dma lies in no mapping of this policy. */
int pp_win_dma_to_gpa(const struct pp_win *w, uint64_t dma, uint64_t *gpa);

/*
 * Memory ahead of need.  The policy's block table grows inside map calls,
 * with the allocator hook, which in the guest module runs in atomic context
 * where large allocations fail.  A caller that can allocate elsewhere asks
 * how many bytes the policy wants now (0: none), allocates them in process
 * context with an allocator that ops->free can release, and hands them over
 * under its lock; false means they were not needed any more (free them).
 */
size_t pp_win_prealloc_wanted(const struct pp_win *w);
bool pp_win_prealloc_provide(struct pp_win *w, void *mem, size_t bytes);

/* Unmaps every idle mapping now.  Returns the number unmapped. */
unsigned int pp_win_reclaim(struct pp_win *w);

struct pp_win_stats {
	uint64_t live_requests;   /* segments mapped and not unmapped */
	uint64_t live_req_bytes;  /* their bytes as requested */
	uint64_t mapped_entries;  /* host mappings (live + idle) */
	uint64_t mapped_bytes;    /* their bytes */
	uint64_t idle_entries, idle_bytes;
	uint64_t windows, directs; /* mapped_entries split by kind */
	uint64_t peak_entries, peak_bytes;
	uint64_t maps, unmaps;     /* segments */
	uint64_t map_failures, unknown_unmaps;
	uint64_t host_calls;       /* round trips */
	uint64_t host_maps, host_unmaps;
	uint64_t reuse_hits;       /* served by an idle mapping */
	uint64_t reclaims;         /* idle mappings unmapped */
	uint64_t retries;          /* host map failures retried smaller */
	uint64_t host_unmap_errors; /* unmaps the host refused (device gone) */
};

void pp_win_get_stats(const struct pp_win *w, struct pp_win_stats *st);

/*
 * Walks host mappings (for debugfs and invariant checks): calls fn for each
 * with its gpa, len, bus, handle and refcount; stops when fn returns nonzero.
 */
typedef int (*pp_win_walk_fn)(void *arg, uint64_t gpa, uint64_t len,
			      uint64_t bus, uint32_t handle, uint32_t refs);
void pp_win_walk(const struct pp_win *w, pp_win_walk_fn fn, void *arg);

#endif
