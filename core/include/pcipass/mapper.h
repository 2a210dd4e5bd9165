/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device side of the wire protocol: one mapper per paravirtual DMA
 * device.  It validates every command the guest wrote (with proto.h's
 * validators), executes MAP/UNMAP/QUERY against a host DMA backend (the DART
 * model here, the dext on a Mac), and owns the mappings it created through
 * a handle table, so a guest can only unmap or query what its own device
 * mapped.  No QEMU or OS dependency: the QEMU device copies the command in
 * and out of guest memory and calls this.  Userspace only.
 */
#ifndef PCIPASS_MAPPER_H
#define PCIPASS_MAPPER_H

#include "types.h"
#include "status.h"
#include "proto.h"

/* One DMA range for the backend: guest-physical in, bus address out. */
struct pp_dma_req {
	uint64_t addr;    /* guest-physical address */
	uint64_t len;
	uint32_t prot;    /* PP_MAP_* */
	int32_t  status;  /* out */
	uint64_t bus;     /* out */
};

/* The host DMA backend, batch-shaped like the dext's user client. */
struct pp_mapper_backend {
	void *ctx;
	/* Maps n ranges; a status per range; returns PP_OK or a whole-call
	 * failure (then no range was mapped). */
	int (*map)(void *ctx, struct pp_dma_req *reqs, unsigned int n);
	/* Unmaps n bus addresses returned by map; a status per address. */
	int (*unmap)(void *ctx, const uint64_t *bus, int32_t *status,
		     unsigned int n);
	/* DART-wide usage and caps (for QUERY_USAGE and the registers). */
	void (*usage)(void *ctx, uint64_t *live_bytes, uint64_t *live_entries,
		      uint64_t *cap_bytes, uint64_t *max_entries);
};

struct pp_mapper_stats {
	uint64_t commands, entries;
	uint64_t refused_commands;    /* header-level refusals */
	uint64_t refused_entries;     /* per-entry validation refusals */
	uint64_t maps, unmaps, queries;
	uint64_t map_failures;        /* backend said no (NOSPC, TOOMANY, ..) */
	uint64_t unmap_failures;      /* backend failed an unmap (handle freed) */
	uint64_t live_mappings, peak_mappings;
	uint64_t live_bytes, peak_bytes;
	uint32_t last_status;         /* last non-OK status, 0 if none */
};

struct pp_mapper;

/* lim is copied (the RAM ranges are referenced: keep them alive and call
 * pp_mapper_set_ram when the guest's RAM layout changes). */
struct pp_mapper *pp_mapper_new(const struct pp_proto_limits *lim,
				uint32_t max_handles,
				const struct pp_mapper_backend *be);
void pp_mapper_free(struct pp_mapper *m);   /* unmaps everything */
void pp_mapper_set_ram(struct pp_mapper *m, const struct pp_ram_range *ram,
		       unsigned int nr_ram);
void pp_mapper_set_features(struct pp_mapper *m, uint32_t features);

/*
 * Step 0: the doorbell's command GPA, before anything is read from it
 * (alignment, header inside guest RAM).  A refusal is counted.
 */
int pp_mapper_check_gpa(struct pp_mapper *m, uint64_t gpa);

/*
 * Step 1: the command header as read from guest memory at gpa (in memory
 * byte order).  PP_OK when the command may be processed; on success
 * *count is the number of entries to read next.
 */
int pp_mapper_check_header(struct pp_mapper *m, uint64_t gpa,
			   const struct pp_cmd_header *hdr_le,
			   uint32_t *count);

/*
 * Step 2: executes count entries (in memory byte order, as read from guest
 * memory) in order, writing status and results back into them, and fills
 * *hdr_le's status and completed fields.  Returns the header status.
 */
int pp_mapper_exec(struct pp_mapper *m, struct pp_cmd_header *hdr_le,
		   struct pp_cmd_entry *ents_le, uint32_t count);

/* Unmaps every mapping this device made (RESET register, device reset). */
void pp_mapper_reset(struct pp_mapper *m);

void pp_mapper_get_stats(const struct pp_mapper *m, struct pp_mapper_stats *st);

/* Walks live mappings: handle, gpa, len, bus; stops when fn returns != 0. */
void pp_mapper_walk(const struct pp_mapper *m,
		    int (*fn)(void *arg, uint32_t handle, uint64_t gpa,
			      uint64_t len, uint64_t bus),
		    void *arg);

#endif
