// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_loopgpu: the loopback GPU's audio function (7070:1001).
 *
 * A real eGPU has an HDMI/DP audio function next to the GPU; the sim backend
 * models it with 16 KiB of trap-only registers (ID, SCRATCH, IRQ_TRIGGER)
 * and one MSI vector (docs/sim-gpu.md).  This tiny driver proves the second
 * function of a passed-through slot works: config space, its BAR, bus
 * mastering and MSI.  It checks at probe, logs the result, and the GPU's
 * misc device runs it again on request (LG_IOC_AUDIO).  It does no DMA.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "sim_gpu_regs.h"
#include "loopgpu.h"

DEFINE_MUTEX(lg_aud_lock);
LIST_HEAD(lg_aud_list);

static irqreturn_t lg_aud_irq(int irq, void *data)
{
	struct lg_aud *a = data;

	WRITE_ONCE(a->last_irq_ns, ktime_get_ns());
	atomic64_inc(&a->irq_count);
	wake_up(&a->wq);
	return IRQ_HANDLED;
}

struct lg_aud *lg_aud_find_sibling(struct pci_dev *gpu)
{
	struct lg_aud *a;

	lockdep_assert_held(&lg_aud_lock);
	list_for_each_entry(a, &lg_aud_list, node)
		if (a->pdev->bus == gpu->bus && PCI_SLOT(a->pdev->devfn) == PCI_SLOT(gpu->devfn))
			return a;
	return NULL;
}

static bool lg_aud_scratch(struct lg_aud *a)
{
	static const u32 pats[] = { 0, 0xffffffff, 0xa5a55a5a, 0x12345678, 0x0badcafe };
	void __iomem *s = a->regs + SIMAUD_REG_SCRATCH;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		writel(pats[i], s);
		if (readl(s) != pats[i])
			return false;
	}
	return true;
}

/* One IRQ_TRIGGER round trip; the time in *ns, false when nothing came. */
static bool lg_aud_trigger(struct lg_aud *a, u64 *ns)
{
	u64 c = atomic64_read(&a->irq_count), t0 = ktime_get_ns();

	writel(0, a->regs + SIMAUD_REG_IRQ_TRIGGER);
	if (!wait_event_timeout(a->wq, atomic64_read(&a->irq_count) != c,
				msecs_to_jiffies(2000)))
		return false;
	*ns = READ_ONCE(a->last_irq_ns) - t0;
	return true;
}

void lg_aud_test(struct lg_aud *a, struct lg_audio *out)
{
	u32 iters = out->iters ? out->iters : 8, i, n = 0;
	u64 *samp;

	lockdep_assert_held(&lg_aud_lock);
	out->present = 1;
	out->id_reg = readl(a->regs + SIMAUD_REG_ID);
	out->scratch_ok = lg_aud_scratch(a);
	if (a->irq < 0)
		return;
	samp = kcalloc(iters, sizeof(*samp), GFP_KERNEL);
	if (!samp)
		return;
	for (i = 0; i < iters; i++) {
		if (lg_aud_trigger(a, &samp[n]))
			n++;
		else
			out->irqs_lost++;
	}
	out->irqs_delivered = n;
	lg_stat_compute(&out->rtt, samp, n);
	kfree(samp);
}

static int lg_aud_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct lg_aud *a;
	u64 ns = 0;
	int ret;

	a = devm_kzalloc(dev, sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->pdev = pdev;
	a->irq = -1;
	init_waitqueue_head(&a->wq);
	INIT_LIST_HEAD(&a->node);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	a->regs = pcim_iomap_region(pdev, 0, LG_AUD_DRV_NAME);
	if (IS_ERR(a->regs))
		return dev_err_probe(dev, PTR_ERR(a->regs), "cannot map BAR0\n");
	a->id = readl(a->regs + SIMAUD_REG_ID);
	if (SIMGPU_ID_ARCH(a->id) != SIMGPU_ARCH || SIMGPU_ID_IMPL(a->id) != SIMGPU_IMPL_AUDIO)
		return dev_err_probe(dev, -ENODEV, "ID register %#x is not the pcipass audio function\n",
				     a->id);
	a->probe_scratch_ok = lg_aud_scratch(a);

	/* MSI is a memory write: it needs bus mastering */
	pci_set_master(pdev);
	a->nvec = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_MSIX);
	if (a->nvec > 0) {
		a->irq_mode = pdev->msix_enabled ? 2 : 1;
		ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), lg_aud_irq, 0,
				       LG_AUD_DRV_NAME, a);
		if (ret) {
			dev_warn(dev, "cannot request its interrupt: %d\n", ret);
		} else {
			a->irq = pci_irq_vector(pdev, 0);
			a->probe_irq_ok = lg_aud_trigger(a, &ns);
		}
	} else {
		dev_warn(dev, "no MSI: %d\n", a->nvec);
		a->nvec = 0;
	}

	mutex_lock(&lg_aud_lock);
	list_add_tail(&a->node, &lg_aud_list);
	mutex_unlock(&lg_aud_lock);
	pci_set_drvdata(pdev, a);
	dev_info(dev, "audio function id %#x, BAR0 %pR, scratch %s, %s %s (%llu us)\n", a->id,
		 &pdev->resource[0], a->probe_scratch_ok ? "ok" : "FAILED",
		 a->irq_mode == 2 ? "MSI-X" : a->irq_mode == 1 ? "MSI" : "no interrupt",
		 a->probe_irq_ok ? "ok" : "FAILED", div_u64(ns, 1000));
	return 0;
}

static void lg_aud_remove(struct pci_dev *pdev)
{
	struct lg_aud *a = pci_get_drvdata(pdev);

	/* the GPU driver uses it only under lg_aud_lock */
	mutex_lock(&lg_aud_lock);
	list_del_init(&a->node);
	mutex_unlock(&lg_aud_lock);
	if (a->irq >= 0)
		devm_free_irq(&pdev->dev, a->irq, a);
	pci_clear_master(pdev);
}

static const struct pci_device_id lg_aud_ids[] = {
	{ PCI_DEVICE(SIMGPU_VENDOR_ID, SIMGPU_DEVICE_ID + 1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, lg_aud_ids);

struct pci_driver lg_aud_driver = {
	.name = LG_AUD_DRV_NAME,
	.id_table = lg_aud_ids,
	.probe = lg_aud_probe,
	.remove = lg_aud_remove,
};
