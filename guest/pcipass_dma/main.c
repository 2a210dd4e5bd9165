// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_dma: guest driver of the pcipass paravirtual DMA mapper
 * (PCI 7070:0001, QEMU device "pcipass-dma").
 *
 * The device sits next to passed-through devices whose DMA goes through
 * Apple's DART on the host.  The DART maps at most ~1.5 GB and ~64k ranges
 * and chooses the bus addresses itself, so guest RAM cannot be mapped
 * wholesale: this driver installs its own dma_map_ops on each "managed"
 * device (the device lists their BDFs) and maps only live DMA buffers, on
 * demand, through the window policy of core/src/dmawin.c.
 *
 * Lifecycle (docs/guest-module.md):
 *  - probe: check magic and version, negotiate features, set DRIVER_OK,
 *    note what a previous driver left mapped, RESET, read the caps, build
 *    the command buffer and the policy, then install the ops on every
 *    managed device that has no driver yet (refusing, with a message, any
 *    that has one: ops are never switched under a live driver).
 *  - a bus notifier installs the ops on managed devices that appear later
 *    and pins this module while a managed device has a driver bound, so
 *    rmmod cannot pull the ops from under it.
 *  - remove: restore the original ops, unmap everything, RESET.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pcipass_dma.h"
#include "quirks.h"

static char *policy = "pcipass";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "window policy: pcipass (adaptive windows, idle reuse; default) or strict (exact 16 KiB pages, nothing kept idle)");

static unsigned int window_max_shift;
module_param(window_max_shift, uint, 0444);
MODULE_PARM_DESC(window_max_shift, "largest window as a power of two, 14..26 (default 0: the preset's, 22 = 4 MiB)");

static int idle_budget_kb = -1;
module_param(idle_budget_kb, int, 0444);
MODULE_PARM_DESC(idle_budget_kb, "KiB of unreferenced mappings kept for reuse (default -1: an eighth of the DART cap; 0: none)");

static unsigned int max_batch;
module_param(max_batch, uint, 0444);
MODULE_PARM_DESC(max_batch, "host operations per round trip, at most the device's (default 0: the device's)");

bool pp_allow_raw;
module_param_named(allow_raw, pp_allow_raw, bool, 0444);
MODULE_PARM_DESC(allow_raw, "debugfs test interfaces: raw commands to the device, map benchmark (default off)");

bool pp_quirks = true;
module_param_named(quirks, pp_quirks, bool, 0444);
MODULE_PARM_DESC(quirks, "workarounds for NVIDIA UVM and FEX TSO, docs/guest-quirks.md (default on)");

unsigned int pp_trace_ring = 65536;
module_param_named(trace_ring, pp_trace_ring, uint, 0444);
MODULE_PARM_DESC(trace_ring, "records in the debugfs trace ring (default 65536)");

DEFINE_MUTEX(pp_mutex);		/* pp_devs and every managed list */
static LIST_HEAD(pp_devs);

#define PP_SCRATCH_SEGS 512

/* ---- instance lifetime ------------------------------------------------- */

static void pp_dev_release(struct kref *kref)
{
	struct pp_dev *pd = container_of(kref, struct pp_dev, kref);

	/* Detached by now: destroy only frees (the host hook refuses). */
	pp_win_destroy(pd->win);
	if (pd->cmd)
		free_pages((unsigned long)pd->cmd, pd->cmd_order);
	if (pd->raw)
		free_pages((unsigned long)pd->raw, pd->raw_order);
	pp_trace_reset(pd);
	vfree(pd->ring);
	kfree(pd->bench_out);
	kfree(pd->scratch);
	pci_dev_put(pd->pdev);
	kfree(pd);
}

void pp_dev_put(struct pp_dev *pd)
{
	kref_put(&pd->kref, pp_dev_release);
}

/* ---- managed devices --------------------------------------------------- */

static u32 pp_bdf_of(struct pci_dev *pdev)
{
	return (pci_domain_nr(pdev->bus) << 16) | (pdev->bus->number << 8) |
	       pdev->devfn;
}

static struct pp_managed *pp_find_managed(struct device *dev)
{
	struct pp_managed *m;
	struct pp_dev *pd;

	lockdep_assert_held(&pp_mutex);
	list_for_each_entry(pd, &pp_devs, node)
		list_for_each_entry(m, &pd->managed, node)
			if (&m->pdev->dev == dev)
				return m;
	return NULL;
}

/* Is this BDF one of pd's managed devices? */
static bool pp_bdf_listed(struct pp_dev *pd, u32 bdf)
{
	unsigned int i;

	for (i = 0; i < pd->nr_managed; i++)
		if (pd->managed_bdf[i] == bdf)
			return true;
	return false;
}

/*
 * The device computes MANAGED[] from the guest's current bus numbering, so
 * read it again when devices come and go.  Under pp_mutex.
 */
static void pp_read_managed(struct pp_dev *pd)
{
	unsigned int i;

	pd->nr_managed = min_t(u32, readl(pd->regs + PP_REG_NR_MANAGED),
			       PP_MAX_MANAGED);
	for (i = 0; i < pd->nr_managed; i++)
		pd->managed_bdf[i] = readl(pd->regs + PP_REG_MANAGED(i));
}

static bool pp_listed_anywhere(struct pci_dev *pdev)
{
	struct pp_dev *pd;
	bool found = false;

	mutex_lock(&pp_mutex);
	list_for_each_entry(pd, &pp_devs, node) {
		if (pd->removing || pd->detached)
			continue;
		pp_read_managed(pd);
		found |= pp_bdf_listed(pd, pp_bdf_of(pdev));
	}
	mutex_unlock(&pp_mutex);
	return found;
}

static void pp_install(struct pp_managed *m)
{
	m->orig_ops = m->pdev->dev.dma_ops;
	set_dma_ops(&m->pdev->dev, &m->pd->ops);
	m->installed = true;
	m->refused = false;
}

static void pp_uninstall(struct pp_managed *m)
{
	if (m->installed && m->pdev->dev.dma_ops == &m->pd->ops)
		set_dma_ops(&m->pdev->dev, m->orig_ops);
	m->installed = false;
}

/*
 * Takes over one managed device.  Called with its device lock held, so no
 * driver can bind or unbind meanwhile, and with pp_mutex held.
 */
static void pp_adopt(struct pp_dev *pd, struct pci_dev *mdev)
{
	struct pp_managed *m;

	lockdep_assert_held(&pp_mutex);
	if (pp_find_managed(&mdev->dev))
		return;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		pci_err(mdev, "pcipass: out of memory, not managing this device\n");
		return;
	}
	m->pd = pd;
	m->pdev = pci_dev_get(mdev);
	m->bdf = pp_bdf_of(mdev);
	list_add_tail(&m->node, &pd->managed);
	pp_quirk_uvm_device_get(mdev);
	if (mdev->dev.driver) {
		m->refused = true;
		pci_err(mdev, "pcipass: driver %s is already bound: not switching DMA ops under a live driver; this device's DMA is NOT translated (load pcipass_dma before its driver, see docs/guest-module.md, or unbind and rebind the driver)\n",
			mdev->dev.driver->name);
		return;
	}
	if (mdev->dev.dma_ops)
		pci_warn(mdev, "pcipass: replacing existing DMA ops %ps\n",
			 mdev->dev.dma_ops);
	pp_install(m);
	pci_info(mdev, "pcipass: DMA translated by %s\n", pd->name);
}

static void pp_forget(struct pp_managed *m)
{
	lockdep_assert_held(&pp_mutex);
	pp_uninstall(m);
	if (m->pinned) {
		m->pinned = false;
		module_put(THIS_MODULE);
	}
	pp_quirk_uvm_device_put(m->pdev);
	list_del(&m->node);
	pci_dev_put(m->pdev);
	kfree(m);
}

/* Finds and adopts the managed devices present now. */
static void pp_adopt_present(struct pp_dev *pd)
{
	struct pci_dev *mdev;
	unsigned int i;
	u32 v;

	for (i = 0; i < pd->nr_managed; i++) {
		v = pd->managed_bdf[i];
		mdev = pci_get_domain_bus_and_slot(PP_MANAGED_SEG(v),
						   PP_MANAGED_BUS(v),
						   PP_MANAGED_DEVFN(v));
		if (!mdev) {
			dev_info(&pd->pdev->dev, "managed device %04x:%02x:%02x.%d not present yet\n",
				 PP_MANAGED_SEG(v), PP_MANAGED_BUS(v),
				 PCI_SLOT(PP_MANAGED_DEVFN(v)),
				 PCI_FUNC(PP_MANAGED_DEVFN(v)));
			continue;
		}
		if (mdev == pd->pdev) {
			dev_err(&pd->pdev->dev, "the device lists itself as managed; ignored\n");
		} else {
			/* Lock order: device lock, then pp_mutex (as in notifiers). */
			device_lock(&mdev->dev);
			mutex_lock(&pp_mutex);
			pp_adopt(pd, mdev);
			mutex_unlock(&pp_mutex);
			device_unlock(&mdev->dev);
		}
		pci_dev_put(mdev);
	}
}

/* ---- bus notifier ------------------------------------------------------- */

static void pp_on_bind(struct pp_managed *m, struct device *dev)
{
	struct pp_dev *pd = m->pd;

	if (!m->installed)
		return;
	if (!dev_is_dma_coherent(dev) && !m->warned_coherent) {
		m->warned_coherent = true;
		dev_err(dev, "pcipass: device is not DMA-coherent: pcipass refuses its DMA (dma_set_mask will fail)\n");
	}
	if (pd->removing || pd->detached || !try_module_get(THIS_MODULE)) {
		/*
		 * We are going away: leave the driver to dma-direct, whose
		 * untranslated addresses the DART will fault, rather than to
		 * ops that are about to be freed.
		 */
		pp_uninstall(m);
		dev_err(dev, "pcipass: %s is going away; %s binds without DMA translation\n",
			pd->name, dev->driver ? dev->driver->name : "driver");
		return;
	}
	m->pinned = true;
}

static void pp_on_unbound(struct pp_managed *m, struct device *dev)
{
	struct pp_dev *pd = m->pd;

	if (m->pinned) {
		m->pinned = false;
		module_put(THIS_MODULE);
	}
	if (pd->detached) {
		/* Our device was removed while this driver ran: finish now. */
		pp_forget(m);
		pp_dev_put(pd);
		return;
	}
	if (m->refused && !pd->removing) {
		pp_install(m);
		dev_info(dev, "pcipass: driver unbound; DMA now translated by %s\n",
			 pd->name);
	}
}

static int pp_bus_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct device *dev = data;
	struct pci_dev *pdev = to_pci_dev(dev);
	struct pp_managed *m;
	struct pp_dev *pd;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		if (!pp_listed_anywhere(pdev))
			break;
		/*
		 * The device is on the bus list already, so a driver could
		 * be binding: take its lock (before pp_mutex) and look again.
		 */
		device_lock(dev);
		mutex_lock(&pp_mutex);
		list_for_each_entry(pd, &pp_devs, node) {
			if (!pd->removing && !pd->detached &&
			    pp_bdf_listed(pd, pp_bdf_of(pdev))) {
				pp_adopt(pd, pdev);
				break;
			}
		}
		mutex_unlock(&pp_mutex);
		device_unlock(dev);
		break;
	case BUS_NOTIFY_BIND_DRIVER:
		/* Device lock held by the driver core, after dma_configure. */
		mutex_lock(&pp_mutex);
		m = pp_find_managed(dev);
		if (m)
			pp_on_bind(m, dev);
		mutex_unlock(&pp_mutex);
		break;
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
	case BUS_NOTIFY_UNBOUND_DRIVER:
		mutex_lock(&pp_mutex);
		m = pp_find_managed(dev);
		if (m)
			pp_on_unbound(m, dev);
		mutex_unlock(&pp_mutex);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		mutex_lock(&pp_mutex);
		m = pp_find_managed(dev);
		if (m) {
			pd = m->pd;
			pp_forget(m);
			if (pd->detached)
				pp_dev_put(pd);
		}
		mutex_unlock(&pp_mutex);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block pp_nb = {
	.notifier_call = pp_bus_notify,
};

/* ---- device setup -------------------------------------------------------- */

/*
 * Feature negotiation (docs/protocol.md section 4): after RESET, write the
 * subset we use and read back what the device stored.
 */
static void pp_negotiate(struct pp_dev *pd)
{
	pd->dev_features = readl(pd->regs + PP_REG_DEV_FEATURES);
	writel(pd->dev_features & PP_FEAT_ALL, pd->regs + PP_REG_DRV_FEATURES);
	pd->features = readl(pd->regs + PP_REG_DRV_FEATURES) & PP_FEAT_ALL;
}

static int pp_driver_ok(struct pp_dev *pd)
{
	u32 status;

	writel(PP_STATUS_DRIVER_OK, pd->regs + PP_REG_STATUS);
	status = readl(pd->regs + PP_REG_STATUS);
	if (!(status & PP_STATUS_DRIVER_OK)) {
		dev_err(&pd->pdev->dev, "device did not accept DRIVER_OK (status %#x, last error %s)\n",
			status,
			pp_status_name(readl(pd->regs + PP_REG_LAST_ERROR)));
		return -EIO;
	}
	return 0;
}

/*
 * A previous driver that never reset the device (kexec, crash) may have left
 * mappings: count them, for the log and debugfs "usage", before RESET.
 */
static void pp_note_inherited(struct pp_dev *pd)
{
	u64 bytes, entries, cap, maxe;

	if (!(readl(pd->regs + PP_REG_STATUS) & PP_STATUS_DRIVER_OK))
		return;
	pd->features = readl(pd->regs + PP_REG_DRV_FEATURES) & PP_FEAT_ALL;
	if (pp_query_usage(pd, &bytes, &entries, &cap, &maxe) != PP_OK)
		return;
	pd->inherited_bytes = bytes;
	pd->inherited_entries = entries;
	pd->inherited_valid = true;
	if (entries)
		dev_warn(&pd->pdev->dev, "DART holds %llu entries (%llu bytes) from an earlier driver; resetting\n",
			 entries, bytes);
}

static int pp_read_caps(struct pp_dev *pd)
{
	struct device *dev = &pd->pdev->dev;

	pd->max_batch = readl(pd->regs + PP_REG_MAX_BATCH);
	pd->page_shift = readl(pd->regs + PP_REG_PAGE_SHIFT);
	pd->dart_entries = readl(pd->regs + PP_REG_DART_ENTRIES);
	pd->dart_cap = readq(pd->regs + PP_REG_DART_CAP);
	pd->max_map_len = readl(pd->regs + PP_REG_MAX_MAP_LEN);
	pd->nr_managed = readl(pd->regs + PP_REG_NR_MANAGED);

	if (pd->page_shift != PP_WIN_PAGE_SHIFT) {
		dev_err(dev, "DART page shift %u unsupported (need %u)\n",
			pd->page_shift, PP_WIN_PAGE_SHIFT);
		return -EINVAL;
	}
	if (!pd->max_batch || pd->max_batch > PP_MAX_BATCH_LIMIT ||
	    !pd->dart_entries || pd->dart_cap < (1ull << PP_WIN_PAGE_SHIFT) ||
	    pd->max_map_len < (1u << PP_WIN_PAGE_SHIFT)) {
		dev_err(dev, "bad capabilities: max_batch %u entries %u cap %llu max_map_len %u\n",
			pd->max_batch, pd->dart_entries, pd->dart_cap,
			pd->max_map_len);
		return -EINVAL;
	}
	if (!(pd->features & PP_FEAT_BATCH))
		pd->max_batch = 1;
	if (max_batch && max_batch < pd->max_batch)
		pd->max_batch = max_batch;
	/* The policy wants whole DART pages. */
	pd->max_map_len &= ~((1u << PP_WIN_PAGE_SHIFT) - 1);
	/* Any segment of max_seg bytes, at any offset, fits one mapping. */
	pd->max_seg = pd->max_map_len - (1u << PP_WIN_PAGE_SHIFT);
	if (!pd->max_seg)
		pd->max_seg = PAGE_SIZE;
	if (pd->nr_managed > PP_MAX_MANAGED)
		dev_warn(dev, "device lists %u managed devices; using the first %u\n",
			 pd->nr_managed, PP_MAX_MANAGED);
	pp_read_managed(pd);
	return 0;
}

static int pp_make_policy(struct pp_dev *pd)
{
	struct device *dev = &pd->pdev->dev;
	struct pp_win_config *c = &pd->cfg;
	struct pp_win_ops ops = {
		.ctx = pd,
		.alloc = pp_win_alloc,
		.free = pp_win_free,
		.host = pp_host_call,
	};
	unsigned int len_shift;

	if (!strcmp(policy, "pcipass")) {
		pp_win_config_pcipass(c, pd->dart_cap, pd->dart_entries);
	} else if (!strcmp(policy, "strict")) {
		pp_win_config_strict(c, pd->dart_cap, pd->dart_entries);
	} else {
		dev_err(dev, "unknown policy '%s' (pcipass or strict)\n", policy);
		return -EINVAL;
	}
	c->max_batch = pd->max_batch;
	c->max_map_len = pd->max_map_len;
	if (window_max_shift) {
		if (window_max_shift < c->min_shift ||
		    window_max_shift > PP_WIN_MAX_SHIFT) {
			dev_err(dev, "window_max_shift %u out of range %u..%u\n",
				window_max_shift, c->min_shift, PP_WIN_MAX_SHIFT);
			return -EINVAL;
		}
		if (c->mode == PP_WIN_ADAPTIVE)
			c->max_shift = window_max_shift;
	}
	/* A window never exceeds the longest mapping the device accepts. */
	len_shift = ilog2(pd->max_map_len);
	if (c->max_shift > len_shift)
		c->max_shift = max(len_shift, c->min_shift);
	if (c->min_shift > len_shift) {
		dev_err(dev, "max map length %u is below one DART page\n",
			pd->max_map_len);
		return -EINVAL;
	}
	if (idle_budget_kb == 0) {
		c->idle_bytes = 0;
		c->idle_entries = 0;
	} else if (idle_budget_kb > 0 && c->idle_bytes) {
		c->idle_bytes = min_t(u64, (u64)idle_budget_kb << 10,
				      pd->dart_cap);
	}
	pd->may_sleep = true;	/* the hooks may use GFP_KERNEL now */
	pd->win = pp_win_create(c, &ops);
	pd->may_sleep = false;
	if (!pd->win) {
		dev_err(dev, "cannot create the window policy\n");
		return -ENOMEM;
	}
	return 0;
}

/* The command buffer: header + max_batch entries, contiguous, aligned. */
static int pp_alloc_cmd(struct pp_dev *pd)
{
	size_t len = sizeof(struct pp_cmd_header) +
		     (size_t)pd->max_batch * sizeof(struct pp_cmd_entry);
	unsigned int order = get_order(len);

	if (pd->cmd && order == pd->cmd_order)
		return 0;
	if (pd->cmd)
		free_pages((unsigned long)pd->cmd, pd->cmd_order);
	/* Whole pages: physically contiguous and PP_CMD_ALIGN aligned. */
	pd->cmd = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!pd->cmd)
		return -ENOMEM;
	pd->cmd_order = order;
	pd->cmd_gpa = virt_to_phys(pd->cmd);
	return 0;
}

static int pp_alloc_buffers(struct pp_dev *pd)
{
	int ret = pp_alloc_cmd(pd);

	if (ret)
		return ret;
	pd->scratch = kmalloc_array(PP_SCRATCH_SEGS, sizeof(*pd->scratch),
				    GFP_KERNEL);
	if (!pd->scratch)
		return -ENOMEM;
	pd->scratch_len = PP_SCRATCH_SEGS;
	if (pp_allow_raw) {
		/* Room for a header and PP_MAX_BATCH_LIMIT entries. */
		pd->raw_len = sizeof(struct pp_cmd_header) +
			      PP_MAX_BATCH_LIMIT * sizeof(struct pp_cmd_entry);
		pd->raw_order = get_order(pd->raw_len);
		pd->raw = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
						   pd->raw_order);
		if (!pd->raw)
			return -ENOMEM;
		pd->raw_gpa = virt_to_phys(pd->raw);
	}
	return 0;
}

static int pp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct pp_dev *pd;
	u32 magic;
	int ret;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	kref_init(&pd->kref);
	pd->pdev = pci_dev_get(pdev);
	strscpy(pd->name, pci_name(pdev), sizeof(pd->name));
	spin_lock_init(&pd->lock);
	INIT_WORK(&pd->grow_work, pp_grow_work);
	mutex_init(&pd->dbg_mutex);
	INIT_LIST_HEAD(&pd->managed);
	hash_init(pd->trace_live);
	ratelimit_state_init(&pd->rs, 5 * HZ, 10);
	pp_init_ops(&pd->ops);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto err;
	ret = pcim_iomap_regions(pdev, BIT(0), PP_DRV_NAME);
	if (ret) {
		dev_err(dev, "cannot map BAR0: %d\n", ret);
		goto err;
	}
	pd->regs = pcim_iomap_table(pdev)[0];
	if (pci_resource_len(pdev, 0) < PP_BAR0_SIZE) {
		dev_err(dev, "BAR0 is %llu bytes, need %u\n",
			(u64)pci_resource_len(pdev, 0), PP_BAR0_SIZE);
		ret = -ENODEV;
		goto err;
	}
	/* The device reads and writes commands in guest RAM. */
	pci_set_master(pdev);

	magic = readl(pd->regs + PP_REG_MAGIC);
	if (magic != PP_PROTO_MAGIC) {
		dev_err(dev, "bad magic %#x (expected %#x): not a pcipass-dma device\n",
			magic, PP_PROTO_MAGIC);
		ret = -ENODEV;
		goto err;
	}
	pd->version = readl(pd->regs + PP_REG_VERSION);
	if ((pd->version >> 16) != PP_PROTO_MAJOR) {
		dev_err(dev, "protocol version %u.%u is not supported: this driver speaks major version %u only; update the guest module or the host\n",
			pd->version >> 16, pd->version & 0xffff, PP_PROTO_MAJOR);
		ret = -ENODEV;
		goto err;
	}
	/* The command buffer first: the inherited-usage query needs it. */
	pd->max_batch = 1;
	ret = pp_alloc_buffers(pd);
	if (ret)
		goto err;
	pp_note_inherited(pd);

	/* Clean slate: unmaps all, clears DRIVER_OK and the features. */
	pp_reset_device(pd);
	pp_negotiate(pd);
	ret = pp_read_caps(pd);
	if (ret)
		goto err;
	ret = pp_alloc_cmd(pd);
	if (ret)
		goto err;
	ret = pp_driver_ok(pd);
	if (ret)
		goto err;
	if (readl(pd->regs + PP_REG_STATUS) & PP_STATUS_HOST_GONE) {
		dev_warn(dev, "host device is gone: maps will fail\n");
		pd->host_gone = true;
	}
	ret = pp_make_policy(pd);
	if (ret)
		goto err;
	dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	pci_set_drvdata(pdev, pd);

	dev_info(dev, "protocol %u.%u, features %#x, DART cap %llu bytes / %u entries, batch %u, max map %u, policy %s (windows 2^%u..2^%u, idle %llu bytes), %u managed device(s)\n",
		 pd->version >> 16, pd->version & 0xffff, pd->features,
		 pd->dart_cap, pd->dart_entries, pd->max_batch, pd->max_map_len,
		 policy, pd->cfg.min_shift, pd->cfg.max_shift,
		 pd->cfg.idle_bytes, pd->nr_managed);

	mutex_lock(&pp_mutex);
	list_add_tail(&pd->node, &pp_devs);
	mutex_unlock(&pp_mutex);
	pp_debugfs_init(pd);
	pp_adopt_present(pd);
	return 0;

err:
	pd->detached = true;
	pp_dev_put(pd);
	return ret;
}

static void pp_remove(struct pci_dev *pdev)
{
	struct pp_dev *pd = pci_get_drvdata(pdev);
	struct pci_dev **devs = NULL;
	struct pp_managed *m;
	unsigned int n = 0, i, zombies = 0;
	u64 bytes, entries, cap, maxe;
	unsigned long flags;

	pp_debugfs_fini(pd);

	/* No new adoptions or pins from here on. */
	mutex_lock(&pp_mutex);
	pd->removing = true;
	list_for_each_entry(m, &pd->managed, node)
		n++;
	devs = kcalloc(n, sizeof(*devs), GFP_KERNEL);
	i = 0;
	if (devs)
		list_for_each_entry(m, &pd->managed, node)
			devs[i++] = pci_dev_get(m->pdev);
	mutex_unlock(&pp_mutex);

	/* Restore the ops of every managed device with no driver. */
	for (i = 0; devs && i < n; i++) {
		device_lock(&devs[i]->dev);
		mutex_lock(&pp_mutex);
		m = pp_find_managed(&devs[i]->dev);
		if (m && m->pd == pd) {
			if (m->installed && devs[i]->dev.driver) {
				/* Only when our own device is hot-removed. */
				zombies++;
				kref_get(&pd->kref);
				pci_err(devs[i], "pcipass: %s removed while %s is bound: DMA maps fail from now on; unbind that driver\n",
					pd->name, devs[i]->dev.driver->name);
			} else {
				pp_forget(m);
			}
		}
		mutex_unlock(&pp_mutex);
		device_unlock(&devs[i]->dev);
		pci_dev_put(devs[i]);
	}
	kfree(devs);

	/* Unmap everything through the host, then check and reset. */
	spin_lock_irqsave(&pd->lock, flags);
	if (!zombies) {
		pp_win_destroy(pd->win);
		pd->win = NULL;
	}
	spin_unlock_irqrestore(&pd->lock, flags);
	if (pp_query_usage(pd, &bytes, &entries, &cap, &maxe) == PP_OK)
		dev_info(&pdev->dev, "unload: DART usage after unmapping: %llu bytes, %llu entries\n",
			 bytes, entries);
	pp_reset_device(pd);	/* also clears DRIVER_OK */

	spin_lock_irqsave(&pd->lock, flags);
	pd->detached = true;	/* BAR0 goes away with pcim */
	spin_unlock_irqrestore(&pd->lock, flags);

	mutex_lock(&pp_mutex);
	list_del(&pd->node);
	mutex_unlock(&pp_mutex);
	pci_set_drvdata(pdev, NULL);
	pp_dev_put(pd);
}

static const struct pci_device_id pp_ids[] = {
	{ PCI_DEVICE(PP_DMA_PCI_VENDOR_ID, PP_DMA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pp_ids);

/*
 * Poweroff, reboot, kexec: the managed devices were shut down before us
 * (children go first), so hand every DART mapping back to the host with one
 * RESET and stop talking to the device.  Maps after this point fail and
 * unmaps are ignored (detached), which is all a late caller can expect.
 */
static void pp_shutdown(struct pci_dev *pdev)
{
	struct pp_dev *pd = pci_get_drvdata(pdev);
	unsigned long flags;

	if (!pd)
		return;
	pp_reset_device(pd);
	spin_lock_irqsave(&pd->lock, flags);
	pd->detached = true;
	spin_unlock_irqrestore(&pd->lock, flags);
	dev_info(&pdev->dev, "shutdown: DART mappings released\n");
}

static struct pci_driver pp_driver = {
	.name = PP_DRV_NAME,
	.id_table = pp_ids,
	.probe = pp_probe,
	.remove = pp_remove,
	.shutdown = pp_shutdown,
	/* No sysfs unbind: it could pull the ops from under live drivers. */
	.driver.suppress_bind_attrs = true,
};

static int __init pp_init(void)
{
	int ret;

	if (strcmp(policy, "pcipass") && strcmp(policy, "strict")) {
		pr_err("unknown policy '%s' (pcipass or strict)\n", policy);
		return -EINVAL;
	}
	pp_debugfs_root_init();
	/* Before the driver: an NVIDIA device may be adopted during probe. */
	pp_quirk_uvm_init();
	pp_quirk_tso_init();
	/* Before the driver: managed devices may appear during probe. */
	ret = bus_register_notifier(&pci_bus_type, &pp_nb);
	if (ret)
		goto err_quirks;
	ret = pci_register_driver(&pp_driver);
	if (ret)
		goto err_nb;
	return 0;

err_nb:
	bus_unregister_notifier(&pci_bus_type, &pp_nb);
err_quirks:
	pp_quirk_tso_exit();
	pp_quirk_uvm_exit();
	pp_debugfs_root_fini();
	return ret;
}

static void __exit pp_exit(void)
{
	pci_unregister_driver(&pp_driver);
	bus_unregister_notifier(&pci_bus_type, &pp_nb);
	pp_quirk_tso_exit();
	pp_quirk_uvm_exit();
	pp_debugfs_root_fini();
}

module_init(pp_init);
module_exit(pp_exit);

MODULE_DESCRIPTION("pcipass paravirtual DMA mapper (DART remapping for passed-through devices)");
MODULE_AUTHOR("pcipass contributors");
MODULE_LICENSE("GPL");
