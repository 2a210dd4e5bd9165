// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Validation of everything the guest writes to the pcipass-dma device:
 * the doorbell GPA, the command header and each entry.  docs/protocol.md is
 * the specification; the order of the checks below is the order it lists,
 * so a given malformed command always gets the same status.
 *
 * Freestanding: this file is also built into the guest module, so it
 * includes nothing but pcipass headers and calls no library function.
 *
 * Ranges are handled by their last byte (addr + len - 1), never by their
 * end, so a range may end at the very top of the 64-bit space and
 * "wraps" means the last byte is past 2^64 - 1.
 */
#include "pcipass/proto.h"

/* Last byte of [base, base + len), len > 0; false if it wraps. */
static bool pp_last_byte(uint64_t base, uint64_t len, uint64_t *last)
{
	*last = base + (len - 1);
	return *last >= base;
}

int pp_range_in_ram(const struct pp_proto_limits *lim, uint64_t addr,
		    uint64_t len)
{
	uint64_t last, ram_last;
	unsigned int i;

	if (!len)
		return PP_ERR_INVAL;
	if (!pp_last_byte(addr, len, &last))
		return PP_ERR_OVERFLOW;
	if (!lim->ram)
		return PP_ERR_RANGE;

	/*
	 * One range must hold all of it: two ranges adjacent in guest-physical
	 * space are separate host allocations, not one contiguous buffer.  A
	 * configured range that is empty or wraps is ignored (fail closed).
	 */
	for (i = 0; i < lim->nr_ram; i++) {
		const struct pp_ram_range *r = &lim->ram[i];

		if (!r->size || !pp_last_byte(r->base, r->size, &ram_last))
			continue;
		if (addr >= r->base && last <= ram_last)
			return PP_OK;
	}
	return PP_ERR_RANGE;
}

int pp_check_cmd_gpa(const struct pp_proto_limits *lim, uint64_t gpa)
{
	if (gpa & (PP_CMD_ALIGN - 1))
		return PP_ERR_ALIGN;
	return pp_range_in_ram(lim, gpa, sizeof(struct pp_cmd_header));
}

/* MAX_BATCH as the device enforces it: never above the protocol's bound. */
static uint32_t pp_max_batch(const struct pp_proto_limits *lim)
{
	return lim->max_batch < PP_MAX_BATCH_LIMIT ? lim->max_batch
						   : PP_MAX_BATCH_LIMIT;
}

int pp_check_header(const struct pp_proto_limits *lim, uint64_t gpa,
		    const struct pp_cmd_header *h)
{
	uint64_t size;

	/* status, completed (out) and cookie (echoed) are not checked. */
	if (gpa & (PP_CMD_ALIGN - 1))
		return PP_ERR_ALIGN;
	if (h->version != PP_PROTO_MAJOR)
		return PP_ERR_VERSION;
	if (h->flags || h->reserved || h->reserved2)
		return PP_ERR_RESERVED;
	if (!h->count || h->count > pp_max_batch(lim))
		return PP_ERR_COUNT;
	if (h->count > 1 && !(lim->features & PP_FEAT_BATCH))
		return PP_ERR_COUNT;

	/* count <= PP_MAX_BATCH_LIMIT: the size cannot overflow. */
	size = sizeof(*h) + (uint64_t)h->count * sizeof(struct pp_cmd_entry);
	return pp_range_in_ram(lim, gpa, size);
}

/* ---- entries ----------------------------------------------------------- */

/*
 * Each field of an entry is, per op, an input (validated), an output (its
 * value on input is ignored; the device writes it) or unused (must be 0,
 * PP_ERR_RESERVED otherwise).  `unused` lists the last kind.
 */
#define PP_F_FLAGS  (1u << 0)
#define PP_F_ADDR   (1u << 1)
#define PP_F_LEN    (1u << 2)
#define PP_F_HANDLE (1u << 3)
#define PP_F_BUS    (1u << 4)

static unsigned int pp_nonzero_fields(const struct pp_cmd_entry *e)
{
	return (e->flags  ? PP_F_FLAGS  : 0) |
	       (e->addr   ? PP_F_ADDR   : 0) |
	       (e->len    ? PP_F_LEN    : 0) |
	       (e->handle ? PP_F_HANDLE : 0) |
	       (e->bus    ? PP_F_BUS    : 0);
}

static int pp_check_map(const struct pp_proto_limits *lim,
			const struct pp_cmd_entry *e)
{
	if (e->flags & ~PP_MAP_RW)
		return PP_ERR_RESERVED;
	if (!e->flags)
		return PP_ERR_INVAL;
	if (!e->len || e->len > lim->max_map_len)
		return PP_ERR_INVAL;
	return pp_range_in_ram(lim, e->addr, e->len);
}

static int pp_check_unmap(const struct pp_proto_limits *lim,
			  const struct pp_cmd_entry *e)
{
	(void)lim;
	return e->handle ? PP_OK : PP_ERR_NOENT; /* 0 is never issued */
}

static int pp_check_query(const struct pp_proto_limits *lim,
			  const struct pp_cmd_entry *e)
{
	(void)lim;
	switch (e->flags) {
	case PP_QUERY_MAPPING:
		return e->handle ? PP_OK : PP_ERR_NOENT;
	case PP_QUERY_USAGE:
		return PP_OK;
	default:
		return PP_ERR_BADOP;
	}
}

struct pp_op_desc {
	uint32_t feature;    /* PP_FEAT_* that must be negotiated, or 0 */
	unsigned int unused; /* PP_F_* fields that must be zero */
	int (*check)(const struct pp_proto_limits *lim,
		     const struct pp_cmd_entry *e);
};

static const struct pp_op_desc pp_ops[] = {
	[PP_OP_MAP]   = { 0, 0, pp_check_map },
	[PP_OP_UNMAP] = { 0, PP_F_FLAGS | PP_F_ADDR | PP_F_LEN | PP_F_BUS,
			  pp_check_unmap },
	[PP_OP_QUERY] = { PP_FEAT_QUERY, 0, pp_check_query },
};

int pp_check_entry(const struct pp_proto_limits *lim,
		   const struct pp_cmd_entry *e)
{
	const struct pp_op_desc *d;

	/* status is an output: its value on input is ignored. */
	if (e->op >= PP_ARRAY_SIZE(pp_ops) || !pp_ops[e->op].check)
		return PP_ERR_BADOP;
	d = &pp_ops[e->op];
	if ((lim->features & d->feature) != d->feature)
		return PP_ERR_BADOP;
	if (e->reserved || (pp_nonzero_fields(e) & d->unused))
		return PP_ERR_RESERVED;
	return d->check(lim, e);
}

/* ---- byte order --------------------------------------------------------- */

/*
 * Field by field, so dst == src (in-place conversion) is fine.  The same
 * swap serves both directions; the four names say which side is wire.
 */
static void pp_header_swap(struct pp_cmd_header *dst,
			   const struct pp_cmd_header *src)
{
	dst->version   = pp_le16(src->version);
	dst->flags     = pp_le16(src->flags);
	dst->count     = pp_le32(src->count);
	dst->status    = pp_le32(src->status);
	dst->completed = pp_le32(src->completed);
	dst->reserved  = pp_le32(src->reserved);
	dst->reserved2 = pp_le32(src->reserved2);
	dst->cookie    = pp_le64(src->cookie);
}

static void pp_entry_swap(struct pp_cmd_entry *dst,
			  const struct pp_cmd_entry *src)
{
	dst->op       = src->op;
	dst->flags    = src->flags;
	dst->reserved = pp_le16(src->reserved);
	dst->status   = pp_le32(src->status);
	dst->addr     = pp_le64(src->addr);
	dst->len      = pp_le32(src->len);
	dst->handle   = pp_le32(src->handle);
	dst->bus      = pp_le64(src->bus);
}

void pp_cmd_header_from_le(struct pp_cmd_header *dst,
			   const struct pp_cmd_header *src)
{
	pp_header_swap(dst, src);
}

void pp_cmd_header_to_le(struct pp_cmd_header *dst,
			 const struct pp_cmd_header *src)
{
	pp_header_swap(dst, src);
}

void pp_cmd_entry_from_le(struct pp_cmd_entry *dst,
			  const struct pp_cmd_entry *src)
{
	pp_entry_swap(dst, src);
}

void pp_cmd_entry_to_le(struct pp_cmd_entry *dst,
			const struct pp_cmd_entry *src)
{
	pp_entry_swap(dst, src);
}
