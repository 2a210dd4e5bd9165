// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_dma: the host round trip.  A command (header + entries, proto.h)
 * is built in a physically contiguous buffer of guest RAM and its
 * guest-physical address is written to DOORBELL with one 8-byte store; the
 * device has processed the whole command when that store completes (the
 * MMIO exit is synchronous), so nothing here sleeps or waits for an
 * interrupt.  Every function runs under pd->lock, which also serialises use
 * of the one command buffer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/slab.h>

#include <linux/mm.h>
#include <linux/workqueue.h>

#include "pcipass_dma.h"

/* ---- memory hooks of the window policy -------------------------------- */

/*
 * The policy allocates under pd->lock, possibly in interrupt context:
 * never sleep.  Small objects may dip into the atomic reserves; the block
 * table's occasional large growth must not (the policy copes with failure).
 */
void *pp_win_alloc(void *ctx, size_t size)
{
	struct pp_dev *pd = ctx;
	gfp_t gfp = size <= PAGE_SIZE ? GFP_ATOMIC : GFP_NOWAIT;

	if (pd->may_sleep)
		gfp = GFP_KERNEL;

	return kmalloc(size, gfp | __GFP_NOWARN);
}

void pp_win_free(void *ctx, void *p)
{
	kvfree(p);	/* kmalloc'd here, or kvmalloc'd by pp_grow_work */
}

/*
 * The block table of the policy grows inside map calls when it must, with
 * an atomic allocation that fails for large tables.  So when it gets half
 * full, a work item allocates the next size in process context and hands
 * it over; map calls then rarely need to allocate anything large.
 */
void pp_grow_work(struct work_struct *work)
{
	struct pp_dev *pd = container_of(work, struct pp_dev, grow_work);
	unsigned long flags;
	size_t want;
	void *mem;

	spin_lock_irqsave(&pd->lock, flags);
	want = pd->win ? pp_win_prealloc_wanted(pd->win) : 0;
	spin_unlock_irqrestore(&pd->lock, flags);
	mem = want ? kvmalloc(want, GFP_KERNEL) : NULL;
	if (mem) {
		spin_lock_irqsave(&pd->lock, flags);
		if (pd->win && pp_win_prealloc_provide(pd->win, mem, want)) {
			pd->st.table_grows++;
			mem = NULL;
		}
		spin_unlock_irqrestore(&pd->lock, flags);
		kvfree(mem);
	}
	pp_dev_put(pd);		/* taken by pp_grow_soon() */
}

/* Under pd->lock: asks for pp_grow_work if the policy wants memory. */
void pp_grow_soon(struct pp_dev *pd)
{
	if (pp_win_prealloc_wanted(pd->win) && schedule_work(&pd->grow_work))
		kref_get(&pd->kref);
}

/* ---- doorbell --------------------------------------------------------- */

static void pp_ring(struct pp_dev *pd, phys_addr_t gpa)
{
	pd->st.doorbells++;
	/* writeq orders the command's stores before the doorbell store. */
	writeq((u64)gpa, pd->regs + PP_REG_DOORBELL);
	/* The device wrote its results during the store; read them after. */
	mb();
}

/*
 * Has the host device come back (or never left)?  Reads STATUS; called on
 * host errors and, while the host is gone, before each map.
 */
bool pp_host_alive(struct pp_dev *pd)
{
	u32 status;

	if (pd->detached)
		return false;
	status = readl(pd->regs + PP_REG_STATUS);
	if (status & PP_STATUS_HOST_GONE) {
		if (!pd->host_gone)
			dev_err(&pd->pdev->dev,
				"host reports the passed-through device gone: DMA maps fail until it returns\n");
		pd->host_gone = true;
		return false;
	}
	if (pd->host_gone)
		dev_info(&pd->pdev->dev, "host device is back\n");
	pd->host_gone = false;
	return true;
}

static void pp_put_header(struct pp_dev *pd, unsigned int count)
{
	struct pp_cmd_header h = {
		.version = PP_PROTO_MAJOR,
		.count = count,
		.status = PP_STATUS_UNSET,
		.completed = 0,
		.cookie = ++pd->cookie,
	};

	pp_cmd_header_to_le(pd->cmd, &h);
}

static struct pp_cmd_entry *pp_entry(struct pp_dev *pd, unsigned int i)
{
	return (struct pp_cmd_entry *)(pd->cmd + 1) + i;
}

/*
 * Reads the header back: PP_OK and the number of completed entries, or the
 * status of the whole command.
 */
static int pp_get_header(struct pp_dev *pd, unsigned int n, u32 *completed)
{
	struct pp_cmd_header h;

	pp_cmd_header_from_le(&h, pd->cmd);
	if (h.status == PP_STATUS_UNSET) {
		/* The device did not touch the command: gone or wedged. */
		pd->st.host_errors++;
		pp_host_alive(pd);
		return PP_ERR_HOST;
	}
	if (h.status != PP_OK) {
		pd->st.host_errors++;
		if (h.status == PP_ERR_HOST)
			pp_host_alive(pd);
		return h.status;
	}
	*completed = min_t(u32, h.completed, n);
	return PP_OK;
}

/*
 * The policy's host hook: one round trip for n ops (n <= max_batch, the
 * policy never asks for more).  Called under pd->lock.
 */
int pp_host_call(void *ctx, struct pp_host_op *ops, unsigned int n)
{
	struct pp_dev *pd = ctx;
	struct pp_cmd_entry e;
	bool maps = false, host_err = false;
	unsigned int i;
	u32 completed;
	int status;

	if (pd->detached)
		return PP_ERR_HOST;
	if (!n || n > pd->max_batch)
		return PP_ERR_COUNT;
	for (i = 0; i < n; i++)
		maps |= ops[i].op == PP_OP_MAP;
	/* Unmaps still go out, so the device can drop its handles. */
	if (maps && pd->host_gone && !pp_host_alive(pd))
		return PP_ERR_HOST;

	pp_put_header(pd, n);
	for (i = 0; i < n; i++) {
		e = (struct pp_cmd_entry){ .op = ops[i].op,
					   .status = PP_STATUS_UNSET };
		if (ops[i].op == PP_OP_MAP) {
			e.flags = ops[i].prot;
			e.addr = ops[i].gpa;
			e.len = ops[i].len;
		} else {
			e.handle = ops[i].handle;
		}
		pp_cmd_entry_to_le(pp_entry(pd, i), &e);
	}
	pp_ring(pd, pd->cmd_gpa);

	status = pp_get_header(pd, n, &completed);
	if (status != PP_OK)
		return status;
	for (i = 0; i < n; i++) {
		if (i >= completed) {
			ops[i].status = PP_ERR_HOST;
			host_err = true;
			continue;
		}
		pp_cmd_entry_from_le(&e, pp_entry(pd, i));
		if (e.status == PP_STATUS_UNSET || e.status >= PP_STATUS_COUNT)
			e.status = PP_ERR_HOST;
		ops[i].status = e.status;
		if (e.status == PP_ERR_HOST)
			host_err = true;
		if (e.status != PP_OK) {
			pd->st.host_errors++;
			continue;
		}
		if (ops[i].op == PP_OP_MAP) {
			ops[i].bus = e.bus;
			ops[i].handle = e.handle;
		}
	}
	if (host_err)
		pp_host_alive(pd);
	return PP_OK;
}

/*
 * QUERY_USAGE: DART-wide live bytes and entries, as the device sees them.
 * Process context; takes pd->lock.
 */
int pp_query_usage(struct pp_dev *pd, u64 *bytes, u64 *entries,
		   u64 *cap, u64 *max_entries)
{
	struct pp_cmd_entry e = { .op = PP_OP_QUERY, .flags = PP_QUERY_USAGE,
				  .status = PP_STATUS_UNSET };
	unsigned long flags;
	u32 completed;
	int status;

	if (!(pd->features & PP_FEAT_QUERY))
		return PP_ERR_BADOP;
	spin_lock_irqsave(&pd->lock, flags);
	if (pd->detached) {
		spin_unlock_irqrestore(&pd->lock, flags);
		return PP_ERR_HOST;
	}
	pp_put_header(pd, 1);
	pp_cmd_entry_to_le(pp_entry(pd, 0), &e);
	pp_ring(pd, pd->cmd_gpa);
	status = pp_get_header(pd, 1, &completed);
	if (status == PP_OK) {
		pp_cmd_entry_from_le(&e, pp_entry(pd, 0));
		status = completed ? e.status : PP_ERR_HOST;
	}
	spin_unlock_irqrestore(&pd->lock, flags);
	if (status != PP_OK)
		return status;
	*bytes = e.addr;
	*entries = e.len;
	*cap = e.bus;
	*max_entries = e.handle;
	return PP_OK;
}

/*
 * allow_raw: ring the doorbell with any GPA (normally the raw buffer's).
 * Returns LAST_ERROR as the device left it.
 */
int pp_raw_doorbell(struct pp_dev *pd, u64 gpa)
{
	unsigned long flags;
	u32 last;

	spin_lock_irqsave(&pd->lock, flags);
	if (pd->detached) {
		spin_unlock_irqrestore(&pd->lock, flags);
		return -ENODEV;
	}
	pp_ring(pd, gpa);
	last = readl(pd->regs + PP_REG_LAST_ERROR);
	spin_unlock_irqrestore(&pd->lock, flags);
	return last;
}

/* RESET: the device unmaps everything it mapped for this guest. */
void pp_reset_device(struct pp_dev *pd)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->lock, flags);
	if (!pd->detached)
		writel(PP_RESET_KEY, pd->regs + PP_REG_RESET);
	spin_unlock_irqrestore(&pd->lock, flags);
}
