// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_dma: the dma_map_ops installed on managed devices.
 *
 * These behave like an IOMMU driver's: the physical address of the page IS
 * the guest-physical address the host maps, so each op translates it
 * through the window policy (core/src/dmawin.c) and returns the DART bus
 * address.  Nothing here calls the generic DMA API on a managed device, and
 * nothing ever bounces through swiotlb: DART bus addresses lie below 4 GiB,
 * so any device mask of 32 bits or more reaches them, and PCIe in these VMs
 * is cache-coherent, so there is no cache maintenance either.  Hence the
 * sync ops are no-ops and the page we map is always the caller's own page
 * (never a bounce buffer's).
 *
 * Every op may run in atomic or interrupt context (network drivers map in
 * softirq): the policy and the doorbell are under pd->lock with interrupts
 * off, allocations are GFP_ATOMIC, and a failure is an error return with a
 * rate-limited message, never a panic.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pcipass_dma.h"

/* Segments of map_sg/unmap_sg that fit on the stack. */
#define PP_SG_STACK 8

int pp_status_errno(int status)
{
	switch (status) {
	case PP_ERR_NOSPC:
	case PP_ERR_TOOMANY:
	case PP_ERR_NOMEM:
		return -ENOMEM;
	case PP_ERR_INVAL:
	case PP_ERR_RANGE:
	case PP_ERR_OVERFLOW:
	case PP_ERR_ALIGN:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static u32 pp_prot(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return PP_MAP_READ;	/* the device reads memory */
	case DMA_FROM_DEVICE:
		return PP_MAP_WRITE;	/* the device writes memory */
	case DMA_BIDIRECTIONAL:
		return PP_MAP_RW;
	default:
		return 0;
	}
}

/* ---- trace (docs/trace-format.md), under pd->lock ---------------------- */

static void pp_trace_put(struct pp_dev *pd, u8 op, u64 id, u64 gpa, u32 size)
{
	struct pp_trace_rec *r;

	if (pd->ring_len >= pd->ring_size) {
		/* Stop at the first loss: what was recorded stays a valid trace. */
		pd->trace_full = true;
		pd->trace_on = false;
		return;
	}
	r = &pd->ring[pd->ring_len++];
	r->op = op;
	r->id = id;
	r->gpa = gpa;
	r->size = size;
}

void pp_trace_map(struct pp_dev *pd, u64 dma, u64 gpa, u32 len)
{
	struct pp_trace_live *l;

	if (!pd->trace_on)
		return;
	l = kmalloc(sizeof(*l), GFP_ATOMIC | __GFP_NOWARN);
	if (!l) {
		pd->st.trace_dropped++;
		pd->trace_full = true;
		pd->trace_on = false;
		return;
	}
	l->dma = dma;
	l->len = len;
	l->id = pd->trace_next_id++;
	hash_add(pd->trace_live, &l->node, dma);
	pp_trace_put(pd, 'm', l->id, gpa, len);
}

void pp_trace_unmap(struct pp_dev *pd, u64 dma, u32 len)
{
	struct pp_trace_live *l;

	if (!pd->trace_on)
		return;
	/* Requests live before tracing started have no id: skipped. */
	hash_for_each_possible(pd->trace_live, l, node, dma) {
		if (l->dma == dma && l->len == len) {
			hash_del(&l->node);
			pp_trace_put(pd, 'u', l->id, 0, 0);
			kfree(l);
			return;
		}
	}
}

/* Drops the live-request table (trace off or restarted). */
void pp_trace_reset(struct pp_dev *pd)
{
	struct pp_trace_live *l;
	struct hlist_node *tmp;
	int bkt;

	hash_for_each_safe(pd->trace_live, bkt, tmp, l, node) {
		hash_del(&l->node);
		kfree(l);
	}
}

/* ---- helpers ----------------------------------------------------------- */

static void pp_map_error(struct pp_dev *pd, struct device *dev,
			 const char *what, u64 gpa, u64 len, int status)
{
	if (__ratelimit(&pd->rs))
		dev_err(dev, "pcipass: %s of %llu bytes at GPA %#llx failed: %s (%s)\n",
			what, len, gpa, pp_status_name(status),
			status == PP_ERR_NOSPC || status == PP_ERR_TOOMANY ?
			"DART full" : status == PP_ERR_HOST ? "host error" :
			"refused");
}

/* The device's reach: DART addresses are below 4 GiB, but check. */
static bool pp_dma_ok(struct device *dev, u64 dma, u64 len)
{
	u64 mask = dev->dma_mask ? *dev->dma_mask : DMA_BIT_MASK(32);

	mask = min_not_zero(mask, dev->bus_dma_limit);
	return dma + len - 1 <= mask;
}

/*
 * Maps n segments under the lock.  Returns a pp_status; on success each
 * segs[i].dma is set and every segment is traced.
 */
static int pp_map_segs(struct pp_dev *pd, struct device *dev,
		       struct pp_win_seg *segs, unsigned int n, u32 prot)
{
	unsigned int i;
	int status;

	status = pp_win_map(pd->win, segs, n, prot);
	pp_grow_soon(pd);
	if (status != PP_OK)
		return status;
	for (i = 0; i < n; i++) {
		if (!pp_dma_ok(dev, segs[i].dma, segs[i].len)) {
			pd->st.mask_refused++;
			pp_win_unmap(pd->win, segs, n);
			return PP_ERR_RANGE;
		}
	}
	for (i = 0; i < n; i++)
		pp_trace_map(pd, segs[i].dma, segs[i].gpa, segs[i].len);
	return PP_OK;
}

static void pp_unmap_segs(struct pp_dev *pd, struct device *dev,
			  struct pp_win_seg *segs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		pp_trace_unmap(pd, segs[i].dma, segs[i].len);
	if (pp_win_unmap(pd->win, segs, n) != PP_OK) {
		pd->st.unmap_noent_calls++;
		if (__ratelimit(&pd->rs))
			dev_warn(dev, "pcipass: unmap of unknown DMA address %#llx (+%llu) ignored\n",
				 segs[0].dma, segs[0].len);
	}
}

/* Maps one physically contiguous range; DMA_MAPPING_ERROR on failure. */
static dma_addr_t pp_map_one(struct device *dev, phys_addr_t phys, size_t size,
			     u32 prot, u64 *stat, const char *what)
{
	struct pp_dev *pd = pp_dev_of(dev);
	struct pp_win_seg seg = { .gpa = phys, .len = size };
	unsigned long flags;
	int status;

	if (!prot || !size) {
		status = PP_ERR_INVAL;
	} else {
		spin_lock_irqsave(&pd->lock, flags);
		(*stat)++;
		status = pp_map_segs(pd, dev, &seg, 1, prot);
		if (status != PP_OK)
			pd->st.map_failed++;
		spin_unlock_irqrestore(&pd->lock, flags);
	}
	if (status != PP_OK) {
		pp_map_error(pd, dev, what, phys, size, status);
		return DMA_MAPPING_ERROR;
	}
	return seg.dma;
}

static void pp_unmap_one(struct device *dev, dma_addr_t dma, size_t size,
			 u64 *stat)
{
	struct pp_dev *pd = pp_dev_of(dev);
	struct pp_win_seg seg = { .dma = dma, .len = size };
	unsigned long flags;

	spin_lock_irqsave(&pd->lock, flags);
	(*stat)++;
	pp_unmap_segs(pd, dev, &seg, 1);
	spin_unlock_irqrestore(&pd->lock, flags);
}

/* dma address -> the page we mapped there (coherent buffers). */
static struct page *pp_dma_page(struct pp_dev *pd, dma_addr_t dma)
{
	unsigned long flags;
	u64 gpa;
	int status;

	spin_lock_irqsave(&pd->lock, flags);
	status = pp_win_dma_to_gpa(pd->win, dma, &gpa);
	spin_unlock_irqrestore(&pd->lock, flags);
	if (status != PP_OK || !pfn_valid(PHYS_PFN(gpa)))
		return NULL;
	return pfn_to_page(PHYS_PFN(gpa));
}

/* ---- streaming mappings ----------------------------------------------- */

#ifdef PP_HAVE_MAP_PHYS
static dma_addr_t pp_map_phys(struct device *dev, phys_addr_t phys,
			      size_t size, enum dma_data_direction dir,
			      unsigned long attrs)
{
	struct pp_dev *pd = pp_dev_of(dev);

	if (attrs & DMA_ATTR_MMIO) {
		pd->st.resource_refused++;
		if (__ratelimit(&pd->rs))
			dev_err(dev, "pcipass: peer-to-peer MMIO mapping of %pa refused\n",
				&phys);
		return DMA_MAPPING_ERROR;
	}
	return pp_map_one(dev, phys, size, pp_prot(dir), &pd->st.map_page,
			  "map_phys");
}

static void pp_unmap_phys(struct device *dev, dma_addr_t dma, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	pp_unmap_one(dev, dma, size, &pp_dev_of(dev)->st.unmap_page);
}
#else
static dma_addr_t pp_map_page(struct device *dev, struct page *page,
			      unsigned long offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	return pp_map_one(dev, page_to_phys(page) + offset, size, pp_prot(dir),
			  &pp_dev_of(dev)->st.map_page, "map_page");
}

static void pp_unmap_page(struct device *dev, dma_addr_t dma, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	pp_unmap_one(dev, dma, size, &pp_dev_of(dev)->st.unmap_page);
}

/*
 * Peer-to-peer MMIO: a BAR of another device is not guest RAM, which is all
 * the host can map (it would answer "range").  Refuse up front.
 */
static dma_addr_t pp_map_resource(struct device *dev, phys_addr_t phys,
				  size_t size, enum dma_data_direction dir,
				  unsigned long attrs)
{
	struct pp_dev *pd = pp_dev_of(dev);
	unsigned long flags;

	spin_lock_irqsave(&pd->lock, flags);
	pd->st.resource_refused++;
	spin_unlock_irqrestore(&pd->lock, flags);
	if (__ratelimit(&pd->rs))
		dev_err(dev, "pcipass: map_resource (peer-to-peer MMIO at %pa) is not supported\n",
			&phys);
	return DMA_MAPPING_ERROR;
}

static void pp_unmap_resource(struct device *dev, dma_addr_t dma, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
}
#endif

/*
 * One pp_win_map call for the whole list, so one host round trip per
 * max_batch new mappings.  Segments are not merged: entry i of the list is
 * DMA segment i, and the return value is nents.
 */
static int pp_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		     enum dma_data_direction dir, unsigned long attrs)
{
	struct pp_dev *pd = pp_dev_of(dev);
	struct pp_win_seg stack[PP_SG_STACK], *segs = stack;
	struct scatterlist *sg;
	unsigned long flags;
	u32 prot = pp_prot(dir);
	int i, status, ret;
	u64 gpa = 0, len = 0;

	if (nents <= 0 || !prot)
		return -EINVAL;
	spin_lock_irqsave(&pd->lock, flags);
	if (nents > PP_SG_STACK) {
		if (nents <= pd->scratch_len) {
			segs = pd->scratch;
		} else {
			segs = kmalloc_array(nents, sizeof(*segs),
					     GFP_ATOMIC | __GFP_NOWARN);
			if (!segs) {
				pd->st.map_sg_failed++;
				spin_unlock_irqrestore(&pd->lock, flags);
				return -ENOMEM;
			}
		}
	}
	pd->st.map_sg++;
	pd->st.sg_segments += nents;
	for_each_sg(sgl, sg, nents, i) {
		segs[i].gpa = sg_phys(sg);
		segs[i].len = sg->length;
	}
	status = pp_map_segs(pd, dev, segs, nents, prot);
	if (status == PP_OK) {
		for_each_sg(sgl, sg, nents, i) {
			sg_dma_address(sg) = segs[i].dma;
			sg_dma_len(sg) = sg->length;
		}
	} else {
		pd->st.map_sg_failed++;
		gpa = segs[0].gpa;
		for (i = 0; i < nents; i++)
			len += segs[i].len;
	}
	if (segs != stack && segs != pd->scratch)
		kfree(segs);
	spin_unlock_irqrestore(&pd->lock, flags);
	if (status == PP_OK)
		return nents;
	pp_map_error(pd, dev, "map_sg", gpa, len, status);
	ret = pp_status_errno(status);
	return ret;
}

static void pp_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	struct pp_dev *pd = pp_dev_of(dev);
	struct pp_win_seg stack[PP_SG_STACK], *segs = stack;
	struct scatterlist *sg;
	unsigned long flags;
	int i;

	if (nents <= 0)
		return;
	spin_lock_irqsave(&pd->lock, flags);
	pd->st.unmap_sg++;
	if (nents > PP_SG_STACK) {
		if (nents <= pd->scratch_len)
			segs = pd->scratch;
		else
			segs = kmalloc_array(nents, sizeof(*segs),
					     GFP_ATOMIC | __GFP_NOWARN);
	}
	if (segs) {
		for_each_sg(sgl, sg, nents, i) {
			segs[i].dma = sg_dma_address(sg);
			segs[i].len = sg_dma_len(sg);
		}
		pp_unmap_segs(pd, dev, segs, nents);
		if (segs != stack && segs != pd->scratch)
			kfree(segs);
	} else {
		/* No memory for the array: one segment at a time. */
		for_each_sg(sgl, sg, nents, i) {
			struct pp_win_seg one = { .dma = sg_dma_address(sg),
						  .len = sg_dma_len(sg) };

			pp_unmap_segs(pd, dev, &one, 1);
		}
	}
	spin_unlock_irqrestore(&pd->lock, flags);
}

/*
 * Coherent and cache-coherent streaming memory needs no maintenance, and
 * nothing is ever bounced, so there is nothing to copy: these exist so the
 * DMA core calls us rather than dma-direct for a managed device.
 */
static void pp_sync_single(struct device *dev, dma_addr_t dma, size_t size,
			   enum dma_data_direction dir)
{
}

static void pp_sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
		       enum dma_data_direction dir)
{
}

/* ---- coherent allocations --------------------------------------------- */

/*
 * Physically contiguous pages, mapped as one segment: the device needs one
 * contiguous bus range, and the DART maps one GPA range to one.  The CPU
 * address is always the linear-map address of the pages (PCIe is coherent,
 * so no remapping), but free() does not rely on that: it takes the page
 * from the dma address, which is what the host mapped.
 */
static struct page *pp_alloc_mapped(struct device *dev, size_t size,
				    dma_addr_t *dma_handle, gfp_t gfp, u32 prot,
				    u64 *stat)
{
	struct pp_dev *pd = pp_dev_of(dev);
	unsigned int order;
	struct page *page;
	dma_addr_t dma;

	size = PAGE_ALIGN(size);
	if (!size || size > pd->max_seg)
		goto fail;
	order = get_order(size);
	/* Bus addresses come from the DART: no zone restrictions apply. */
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM | __GFP_COMP);
	page = alloc_pages_node(dev_to_node(dev), gfp | __GFP_ZERO | __GFP_NOWARN,
				order);
	if (!page)
		goto fail;
	dma = pp_map_one(dev, page_to_phys(page), size, prot, stat, "alloc");
	if (dma == DMA_MAPPING_ERROR) {
		__free_pages(page, order);
		goto fail;
	}
	*dma_handle = dma;
	return page;
fail:
	{
		unsigned long flags;

		spin_lock_irqsave(&pd->lock, flags);
		pd->st.alloc_failed++;
		spin_unlock_irqrestore(&pd->lock, flags);
	}
	return NULL;
}

/*
 * The page behind a coherent buffer: the one mapped at dma.  Cross-checked
 * with the CPU address, whichever kind it is (vmalloc/remapped or linear).
 */
static struct page *pp_coherent_page(struct device *dev, void *cpu_addr,
				     dma_addr_t dma)
{
	struct pp_dev *pd = pp_dev_of(dev);
	struct page *page = pp_dma_page(pd, dma), *cpu_page = NULL;

	if (cpu_addr) {
		if (is_vmalloc_addr(cpu_addr))
			cpu_page = vmalloc_to_page(cpu_addr);
		else if (virt_addr_valid(cpu_addr))
			cpu_page = virt_to_page(cpu_addr);
	}
	if (page && cpu_page && page != cpu_page && __ratelimit(&pd->rs))
		dev_warn(dev, "pcipass: coherent buffer %p does not match DMA address %pad; using the DMA address\n",
			 cpu_addr, &dma);
	return page;
}

static void pp_free_mapped(struct device *dev, size_t size, void *cpu_addr,
			   dma_addr_t dma, u64 *stat)
{
	struct pp_dev *pd = pp_dev_of(dev);
	struct page *page;

	size = PAGE_ALIGN(size);
	page = pp_coherent_page(dev, cpu_addr, dma);
	if (!page) {
		unsigned long flags;

		spin_lock_irqsave(&pd->lock, flags);
		pd->st.unknown_frees++;
		spin_unlock_irqrestore(&pd->lock, flags);
		/* Leaking beats freeing pages we cannot name. */
		if (__ratelimit(&pd->rs))
			dev_err(dev, "pcipass: free of unknown coherent buffer %pad (%zu bytes) ignored\n",
				&dma, size);
		return;
	}
	pp_unmap_one(dev, dma, size, stat);
	__free_pages(page, get_order(size));
}

static void *pp_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle,
		      gfp_t gfp, unsigned long attrs)
{
	struct page *page;

	page = pp_alloc_mapped(dev, size, dma_handle, gfp, PP_MAP_RW,
			       &pp_dev_of(dev)->st.alloc);
	/*
	 * DMA_ATTR_NO_KERNEL_MAPPING: the return value is an opaque cookie;
	 * the linear-map address serves as one.
	 */
	return page ? page_address(page) : NULL;
}

static void pp_free(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t dma, unsigned long attrs)
{
	pp_free_mapped(dev, size, cpu_addr, dma, &pp_dev_of(dev)->st.free);
}

static struct page *pp_alloc_pages(struct device *dev, size_t size,
				   dma_addr_t *dma_handle,
				   enum dma_data_direction dir, gfp_t gfp)
{
	return pp_alloc_mapped(dev, size, dma_handle, gfp, pp_prot(dir),
			       &pp_dev_of(dev)->st.alloc_pages);
}

static void pp_free_pages(struct device *dev, size_t size, struct page *page,
			  dma_addr_t dma, enum dma_data_direction dir)
{
	pp_free_mapped(dev, size, page_address(page), dma,
		       &pp_dev_of(dev)->st.free_pages);
}

static int pp_mmap(struct device *dev, struct vm_area_struct *vma,
		   void *cpu_addr, dma_addr_t dma, size_t size,
		   unsigned long attrs)
{
	unsigned long count = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned long user_count = vma_pages(vma);
	unsigned long off = vma->vm_pgoff;
	struct page *page = pp_coherent_page(dev, cpu_addr, dma);

	if (!page || off >= count || user_count > count - off)
		return -ENXIO;
	return remap_pfn_range(vma, vma->vm_start, page_to_pfn(page) + off,
			       user_count << PAGE_SHIFT, vma->vm_page_prot);
}

static int pp_get_sgtable(struct device *dev, struct sg_table *sgt,
			  void *cpu_addr, dma_addr_t dma, size_t size,
			  unsigned long attrs)
{
	struct page *page = pp_coherent_page(dev, cpu_addr, dma);
	int ret;

	if (!page)
		return -ENXIO;
	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (!ret)
		sg_set_page(sgt->sgl, page, PAGE_ALIGN(size), 0);
	return ret;
}

/* ---- capabilities ----------------------------------------------------- */

static int pp_dma_supported(struct device *dev, u64 mask)
{
	struct pp_dev *pd = pp_dev_of(dev);

	if (!dev_is_dma_coherent(dev)) {
		pd->st.noncoherent_refused++;
		dev_err(dev, "pcipass: device is not DMA-coherent; pcipass supports coherent PCIe only, refusing DMA\n");
		return 0;
	}
	if (mask < DMA_BIT_MASK(32)) {
		pd->st.mask_refused++;
		dev_err(dev, "pcipass: DMA mask %#llx is below 32 bits; DART bus addresses need 32, refusing\n",
			mask);
		return 0;
	}
	return 1;
}

static u64 pp_get_required_mask(struct device *dev)
{
	return DMA_BIT_MASK(32);
}

static size_t pp_max_mapping_size(struct device *dev)
{
	return pp_dev_of(dev)->max_seg;
}

void pp_init_ops(struct dma_map_ops *ops)
{
	*ops = (struct dma_map_ops){
		.alloc = pp_alloc,
		.free = pp_free,
#ifdef PP_HAVE_ALLOC_PAGES_OP
		.alloc_pages_op = pp_alloc_pages,
#else
		.alloc_pages = pp_alloc_pages,
#endif
		.free_pages = pp_free_pages,
		.mmap = pp_mmap,
		.get_sgtable = pp_get_sgtable,
#ifdef PP_HAVE_MAP_PHYS
		.map_phys = pp_map_phys,
		.unmap_phys = pp_unmap_phys,
#else
		.map_page = pp_map_page,
		.unmap_page = pp_unmap_page,
		.map_resource = pp_map_resource,
		.unmap_resource = pp_unmap_resource,
#endif
		.map_sg = pp_map_sg,
		.unmap_sg = pp_unmap_sg,
		.sync_single_for_cpu = pp_sync_single,
		.sync_single_for_device = pp_sync_single,
		.sync_sg_for_cpu = pp_sync_sg,
		.sync_sg_for_device = pp_sync_sg,
		.dma_supported = pp_dma_supported,
		.get_required_mask = pp_get_required_mask,
		.max_mapping_size = pp_max_mapping_size,
	};
}
