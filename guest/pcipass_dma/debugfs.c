// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_dma: debugfs files under /sys/kernel/debug/pcipass_dma/<bdf>/
 * (docs/guest-module.md lists them):
 *
 *   stats         key=value counters: policy, host round trips, ops
 *   windows       the host mappings: gpa len bus handle refs
 *   managed       the managed devices and their state
 *   usage         QUERY_USAGE: DART-wide live bytes/entries, as the device
 *                 counts them (plus what was left before our RESET)
 *   regs          the device's registers
 *   reclaim       write anything: unmap every idle mapping now
 *   trace_enable  0/1; 1 starts a new trace (clears the ring)
 *   trace         the recorded map/unmap lines (docs/trace-format.md)
 *   raw, raw_gpa  allow_raw=1 only: hostile-guest test interface
 *   bench         allow_raw=1 only: map/unmap benchmark
 *
 * and /sys/kernel/debug/pcipass_dma/quirks: the state and counters of the
 * quirks (docs/guest-quirks.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "pcipass_dma.h"
#include "quirks.h"

static struct dentry *pp_root;

static int quirks_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "quirks=%d\n", pp_quirks);
	pp_quirk_uvm_show(s);
	pp_quirk_tso_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(quirks);

void pp_debugfs_root_init(void)
{
	pp_root = debugfs_create_dir(PP_DRV_NAME, NULL);
	if (!IS_ERR_OR_NULL(pp_root))
		debugfs_create_file("quirks", 0444, pp_root, NULL, &quirks_fops);
}

void pp_debugfs_root_fini(void)
{
	debugfs_remove_recursive(pp_root);
	pp_root = NULL;
}

/* ---- stats ---------------------------------------------------------------- */

static int stats_show(struct seq_file *s, void *unused)
{
	struct pp_dev *pd = s->private;
	struct pp_win_stats ws = {};
	struct pp_dev_stats ds;
	unsigned long flags;
	bool gone;

	spin_lock_irqsave(&pd->lock, flags);
	if (pd->win)
		pp_win_get_stats(pd->win, &ws);
	ds = pd->st;
	gone = pd->host_gone;
	spin_unlock_irqrestore(&pd->lock, flags);

#define W(f) seq_printf(s, #f "=%llu\n", (unsigned long long)ws.f)
#define D(f) seq_printf(s, #f "=%llu\n", (unsigned long long)ds.f)
	W(live_requests); W(live_req_bytes);
	W(mapped_entries); W(mapped_bytes);
	W(idle_entries); W(idle_bytes);
	W(windows); W(directs);
	W(peak_entries); W(peak_bytes);
	W(maps); W(unmaps);
	W(map_failures); W(unknown_unmaps);
	W(host_calls); W(host_maps); W(host_unmaps);
	W(reuse_hits); W(reclaims); W(retries); W(host_unmap_errors);
	D(doorbells); D(host_errors);
	D(map_page); D(unmap_page);
	D(map_sg); D(unmap_sg); D(sg_segments);
	D(alloc); D(free); D(alloc_pages); D(free_pages);
	D(map_failed); D(map_sg_failed); D(alloc_failed); D(table_grows);
	D(unmap_noent_calls); D(unknown_frees);
	D(mask_refused); D(resource_refused); D(noncoherent_refused);
	D(trace_dropped);
#undef W
#undef D
	seq_printf(s, "host_gone=%d\n", gone);
	seq_printf(s, "policy_max_batch=%u\n", pd->cfg.max_batch);
	seq_printf(s, "policy_min_shift=%u\npolicy_max_shift=%u\n",
		   pd->cfg.min_shift, pd->cfg.max_shift);
	seq_printf(s, "policy_idle_bytes=%llu\npolicy_idle_entries=%u\n",
		   (unsigned long long)pd->cfg.idle_bytes, pd->cfg.idle_entries);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* ---- windows: snapshot under the lock, print outside it ------------------- */

struct pp_win_snap {
	u64 gpa, len, bus;
	u32 handle, refs;
};

struct pp_snap_ctx {
	struct pp_win_snap *v;
	size_t n, cap;
};

static int pp_snap_one(void *arg, uint64_t gpa, uint64_t len, uint64_t bus,
		       uint32_t handle, uint32_t refs)
{
	struct pp_snap_ctx *c = arg;

	if (c->n == c->cap)
		return 1;
	c->v[c->n++] = (struct pp_win_snap){ gpa, len, bus, handle, refs };
	return 0;
}

static int windows_show(struct seq_file *s, void *unused)
{
	struct pp_dev *pd = s->private;
	struct pp_win_stats ws = {};
	struct pp_snap_ctx c = {};
	unsigned long flags;
	size_t i;

	for (;;) {
		spin_lock_irqsave(&pd->lock, flags);
		if (pd->win)
			pp_win_get_stats(pd->win, &ws);
		spin_unlock_irqrestore(&pd->lock, flags);
		c.cap = ws.mapped_entries + 64;
		c.n = 0;
		c.v = kvmalloc_array(c.cap, sizeof(*c.v), GFP_KERNEL);
		if (!c.v)
			return -ENOMEM;
		spin_lock_irqsave(&pd->lock, flags);
		if (pd->win)
			pp_win_walk(pd->win, pp_snap_one, &c);
		spin_unlock_irqrestore(&pd->lock, flags);
		if (c.n < c.cap)
			break;
		kvfree(c.v);	/* grew meanwhile: again */
	}
	seq_puts(s, "# gpa len bus handle refs\n");
	for (i = 0; i < c.n; i++)
		seq_printf(s, "%#llx %llu %#llx %u %u\n", c.v[i].gpa, c.v[i].len,
			   c.v[i].bus, c.v[i].handle, c.v[i].refs);
	kvfree(c.v);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(windows);

/* ---- managed -------------------------------------------------------------- */

static int managed_show(struct seq_file *s, void *unused)
{
	struct pp_dev *pd = s->private;
	struct pp_managed *m;
	unsigned int i;
	bool found;

	mutex_lock(&pp_mutex);
	for (i = 0; i < pd->nr_managed; i++) {
		u32 v = pd->managed_bdf[i];

		found = false;
		seq_printf(s, "%04x:%02x:%02x.%d", PP_MANAGED_SEG(v),
			   PP_MANAGED_BUS(v), PCI_SLOT(PP_MANAGED_DEVFN(v)),
			   PCI_FUNC(PP_MANAGED_DEVFN(v)));
		list_for_each_entry(m, &pd->managed, node) {
			if (m->bdf != v)
				continue;
			found = true;
			seq_printf(s, " %s%s driver=%s\n",
				   m->installed ? "translated" :
				   m->refused ? "refused" : "released",
				   m->pinned ? " pinned" : "",
				   m->pdev->dev.driver ?
				   m->pdev->dev.driver->name : "-");
		}
		if (!found)
			seq_puts(s, " absent\n");
	}
	mutex_unlock(&pp_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(managed);

/* ---- usage, regs ---------------------------------------------------------- */

static int usage_show(struct seq_file *s, void *unused)
{
	struct pp_dev *pd = s->private;
	u64 bytes, entries, cap, maxe;
	int status;

	status = pp_query_usage(pd, &bytes, &entries, &cap, &maxe);
	if (status != PP_OK) {
		seq_printf(s, "error=%s\n", pp_status_name(status));
		return 0;
	}
	seq_printf(s, "live_bytes=%llu\nlive_entries=%llu\ncap_bytes=%llu\nmax_entries=%llu\n",
		   bytes, entries, cap, maxe);
	if (pd->inherited_valid)
		seq_printf(s, "inherited_bytes=%llu\ninherited_entries=%llu\n",
			   pd->inherited_bytes, pd->inherited_entries);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(usage);

static int regs_show(struct seq_file *s, void *unused)
{
	struct pp_dev *pd = s->private;
	void __iomem *r = pd->regs;

	seq_printf(s, "magic=%#x\nversion=%#x\ndev_features=%#x\ndrv_features=%#x\n",
		   readl(r + PP_REG_MAGIC), readl(r + PP_REG_VERSION),
		   readl(r + PP_REG_DEV_FEATURES),
		   readl(r + PP_REG_DRV_FEATURES));
	seq_printf(s, "max_batch=%u\npage_shift=%u\ndart_entries=%u\nnr_managed=%u\n",
		   readl(r + PP_REG_MAX_BATCH), readl(r + PP_REG_PAGE_SHIFT),
		   readl(r + PP_REG_DART_ENTRIES), readl(r + PP_REG_NR_MANAGED));
	seq_printf(s, "dart_cap=%llu\nstatus=%#x\nlast_error=%u\nmax_map_len=%u\n",
		   readq(r + PP_REG_DART_CAP), readl(r + PP_REG_STATUS),
		   readl(r + PP_REG_LAST_ERROR), readl(r + PP_REG_MAX_MAP_LEN));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regs);

static ssize_t reclaim_write(struct file *f, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	struct pp_dev *pd = file_inode(f)->i_private;
	unsigned long flags;

	spin_lock_irqsave(&pd->lock, flags);
	if (pd->win)
		pp_win_reclaim(pd->win);
	spin_unlock_irqrestore(&pd->lock, flags);
	return len;
}

static const struct file_operations reclaim_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = reclaim_write,
	.llseek = noop_llseek,
};

/* ---- trace ---------------------------------------------------------------- */

static int trace_enable_get(void *data, u64 *val)
{
	struct pp_dev *pd = data;

	*val = pd->trace_on;
	return 0;
}

static int trace_enable_set(void *data, u64 val)
{
	struct pp_dev *pd = data;
	struct pp_trace_rec *ring = NULL, *old;
	unsigned long flags;

	mutex_lock(&pd->dbg_mutex);
	if (val) {
		ring = vmalloc_array(pp_trace_ring ? pp_trace_ring : 1,
				     sizeof(*ring));
		if (!ring) {
			mutex_unlock(&pd->dbg_mutex);
			return -ENOMEM;
		}
	}
	spin_lock_irqsave(&pd->lock, flags);
	pd->trace_on = false;
	pp_trace_reset(pd);
	old = NULL;
	if (val) {
		old = pd->ring;
		pd->ring = ring;
		pd->ring_size = pp_trace_ring ? pp_trace_ring : 1;
		pd->ring_len = 0;
		pd->trace_full = false;
		pd->trace_next_id = 1;
		pd->trace_on = true;
	}
	spin_unlock_irqrestore(&pd->lock, flags);
	vfree(old);
	mutex_unlock(&pd->dbg_mutex);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(trace_enable_fops, trace_enable_get,
			 trace_enable_set, "%llu\n");

static void *trace_start(struct seq_file *s, loff_t *pos)
{
	struct pp_dev *pd = s->private;

	mutex_lock(&pd->dbg_mutex);	/* the ring stays while we read */
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= pd->ring_len ? pos : NULL;
}

static void *trace_next(struct seq_file *s, void *v, loff_t *pos)
{
	struct pp_dev *pd = s->private;

	(*pos)++;
	return *pos <= pd->ring_len ? pos : NULL;
}

static void trace_stop(struct seq_file *s, void *v)
{
	struct pp_dev *pd = s->private;

	mutex_unlock(&pd->dbg_mutex);
}

static int trace_show(struct seq_file *s, void *v)
{
	struct pp_dev *pd = s->private;
	struct pp_trace_rec r;
	unsigned long flags;
	loff_t i;

	if (v == SEQ_START_TOKEN) {
		seq_printf(s, "# pcipass_dma %s trace: %u records%s%s\n", pd->name,
			   pd->ring_len, pd->trace_on ? ", recording" : "",
			   pd->trace_full ? ", stopped: ring full or out of memory" : "");
		return 0;
	}
	i = *(loff_t *)v - 1;
	spin_lock_irqsave(&pd->lock, flags);
	r = pd->ring[i];
	spin_unlock_irqrestore(&pd->lock, flags);
	if (r.op == 'm')
		seq_printf(s, "map,%llu,%#llx,%u\n", r.id, r.gpa, r.size);
	else
		seq_printf(s, "unmap,%llu\n", r.id);
	return 0;
}

static const struct seq_operations trace_sops = {
	.start = trace_start,
	.next = trace_next,
	.stop = trace_stop,
	.show = trace_show,
};

static int trace_open(struct inode *inode, struct file *f)
{
	int ret = seq_open(f, &trace_sops);

	if (!ret)
		((struct seq_file *)f->private_data)->private = inode->i_private;
	return ret;
}

static const struct file_operations trace_fops = {
	.owner = THIS_MODULE,
	.open = trace_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release,
};

/* ---- raw (allow_raw) ------------------------------------------------------ */

/*
 * Write: a command blob (header + entries, wire format) goes to the raw
 * buffer and the doorbell rings with its GPA.  Read: the blob as the
 * device left it (same length as written).  For a hostile-guest test: the
 * module does not check anything the blob says.
 */
static ssize_t raw_write(struct file *f, const char __user *buf, size_t len,
			 loff_t *ppos)
{
	struct pp_dev *pd = file_inode(f)->i_private;
	ssize_t ret = len;

	if (!len || len > pd->raw_len)
		return -EINVAL;
	mutex_lock(&pd->dbg_mutex);
	memset(pd->raw, 0, pd->raw_len);
	if (copy_from_user(pd->raw, buf, len)) {
		ret = -EFAULT;
	} else {
		pd->raw_last = len;
		pp_raw_doorbell(pd, pd->raw_gpa);
	}
	mutex_unlock(&pd->dbg_mutex);
	return ret;
}

static ssize_t raw_read(struct file *f, char __user *buf, size_t len,
			loff_t *ppos)
{
	struct pp_dev *pd = file_inode(f)->i_private;
	ssize_t ret;

	mutex_lock(&pd->dbg_mutex);
	ret = simple_read_from_buffer(buf, len, ppos, pd->raw, pd->raw_last);
	mutex_unlock(&pd->dbg_mutex);
	return ret;
}

static const struct file_operations raw_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = raw_read,
	.write = raw_write,
	.llseek = default_llseek,
};

/*
 * raw_gpa: read "gpa=<raw buffer GPA> last_error=<LAST_ERROR>"; write a GPA
 * (any value: misaligned, outside RAM) to ring the doorbell with it.
 */
static int raw_gpa_show(struct seq_file *s, void *unused)
{
	struct pp_dev *pd = s->private;

	seq_printf(s, "gpa=%#llx\nsize=%zu\nlast_error=%u\n",
		   (unsigned long long)pd->raw_gpa, pd->raw_len,
		   readl(pd->regs + PP_REG_LAST_ERROR));
	return 0;
}

static int raw_gpa_open(struct inode *inode, struct file *f)
{
	return single_open(f, raw_gpa_show, inode->i_private);
}

static ssize_t raw_gpa_write(struct file *f, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	struct pp_dev *pd = file_inode(f)->i_private;
	u64 gpa;
	int ret;

	ret = kstrtou64_from_user(buf, len, 0, &gpa);
	if (ret)
		return ret;
	mutex_lock(&pd->dbg_mutex);
	pp_raw_doorbell(pd, gpa);
	mutex_unlock(&pd->dbg_mutex);
	return len;
}

static const struct file_operations raw_gpa_fops = {
	.owner = THIS_MODULE,
	.open = raw_gpa_open,
	.read = seq_read,
	.write = raw_gpa_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ---- bench (allow_raw) ---------------------------------------------------- */

/*
 * Write "N" (pages, default 4096): maps and unmaps through the DMA API on
 * the first translated managed device (our ops) and on the mapper device
 * itself (not managed: dma-direct), and records key=value results for a
 * read.  No DMA happens; the mappings are made and dropped.
 */
struct pp_bench {
	struct device *dev;
	struct page **pages;
	dma_addr_t *dma;
	unsigned int n;
};

static u64 pp_host_calls(struct pp_dev *pd)
{
	struct pp_win_stats ws = {};
	unsigned long flags;

	spin_lock_irqsave(&pd->lock, flags);
	if (pd->win)
		pp_win_get_stats(pd->win, &ws);
	spin_unlock_irqrestore(&pd->lock, flags);
	return ws.host_calls;
}

static void pp_reclaim(struct pp_dev *pd)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->lock, flags);
	if (pd->win)
		pp_win_reclaim(pd->win);
	spin_unlock_irqrestore(&pd->lock, flags);
}

/* Same page mapped and unmapped n times.  ns per map+unmap pair. */
static u64 bench_same(struct pp_bench *b, unsigned int *fails)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	dma_addr_t d;

	for (i = 0; i < b->n; i++) {
		d = dma_map_page(b->dev, b->pages[0], 0, PAGE_SIZE,
				 DMA_BIDIRECTIONAL);
		if (dma_mapping_error(b->dev, d)) {
			(*fails)++;
			continue;
		}
		dma_unmap_page(b->dev, d, PAGE_SIZE, DMA_BIDIRECTIONAL);
	}
	return (ktime_get_ns() - t0) / max(b->n, 1u);
}

/* n distinct pages mapped, then all unmapped.  ns per map+unmap pair. */
static u64 bench_spread(struct pp_bench *b, unsigned int *fails)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		b->dma[i] = dma_map_page(b->dev, b->pages[i], 0, PAGE_SIZE,
					 DMA_BIDIRECTIONAL);
		if (dma_mapping_error(b->dev, b->dma[i]))
			(*fails)++;
	}
	for (i = 0; i < b->n; i++)
		if (!dma_mapping_error(b->dev, b->dma[i]))
			dma_unmap_page(b->dev, b->dma[i], PAGE_SIZE,
				       DMA_BIDIRECTIONAL);
	return (ktime_get_ns() - t0) / max(b->n, 1u);
}

/* sg lists of 64 pages.  ns per list map+unmap. */
static u64 bench_sg(struct pp_bench *b, unsigned int *fails, unsigned int *lists)
{
	struct scatterlist *sg;
	unsigned int i, j;
	u64 t0;
	int n;

	*lists = 0;
	sg = kmalloc_array(64, sizeof(*sg), GFP_KERNEL);
	if (!sg)
		return 0;
	t0 = ktime_get_ns();
	for (i = 0; i + 64 <= b->n; i += 64) {
		sg_init_table(sg, 64);
		for (j = 0; j < 64; j++)
			sg_set_page(&sg[j], b->pages[i + j], PAGE_SIZE, 0);
		n = dma_map_sg(b->dev, sg, 64, DMA_BIDIRECTIONAL);
		(*lists)++;
		if (!n) {
			(*fails)++;
			continue;
		}
		dma_unmap_sg(b->dev, sg, 64, DMA_BIDIRECTIONAL);
	}
	t0 = ktime_get_ns() - t0;
	kfree(sg);
	return t0 / max(*lists, 1u);
}

static ssize_t bench_write(struct file *f, const char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	struct pp_dev *pd = file_inode(f)->i_private;
	struct pp_bench b = {};
	struct pp_managed *m;
	struct pci_dev *mdev = NULL;
	unsigned int n = 4096, i, fails = 0, lists;
	u64 ns, calls, ns_direct_same, ns_direct_spread;
	char *out;
	size_t olen = 0, osz = 4096;
	int ret;

	if (len > 1) {
		ret = kstrtouint_from_user(ubuf, len, 0, &n);
		if (ret)
			return ret;
	}
	if (n < 64 || n > 65536)
		return -EINVAL;

	mutex_lock(&pp_mutex);
	list_for_each_entry(m, &pd->managed, node) {
		if (m->installed) {
			mdev = pci_dev_get(m->pdev);
			break;
		}
	}
	mutex_unlock(&pp_mutex);
	if (!mdev)
		return -ENODEV;

	ret = -ENOMEM;
	out = kzalloc(osz, GFP_KERNEL);
	b.pages = kvcalloc(n, sizeof(*b.pages), GFP_KERNEL);
	b.dma = kvcalloc(n, sizeof(*b.dma), GFP_KERNEL);
	if (!out || !b.pages || !b.dma)
		goto out;
	for (i = 0; i < n; i++) {
		b.pages[i] = alloc_page(GFP_KERNEL);
		if (!b.pages[i])
			goto out;
	}
	b.n = n;

#define P(...) (olen += scnprintf(out + olen, osz - olen, __VA_ARGS__))
	P("bench_pages=%u\n", n);
	P("bench_device=%s\nbench_direct_device=%s\n", pci_name(mdev), pd->name);

	mutex_lock(&pd->dbg_mutex);
	/* translated: the managed device, our ops.  One untimed warm-up. */
	b.dev = &mdev->dev;
	b.n = n / 8;
	bench_same(&b, &fails);
	b.n = n;
	pp_reclaim(pd);
	calls = pp_host_calls(pd);
	ns = bench_same(&b, &fails);
	P("translated_same_page_ns_per_map_unmap=%llu\n", ns);
	P("translated_same_page_host_calls_per_1000_maps=%llu\n",
	  (pp_host_calls(pd) - calls) * 1000 / n);

	pp_reclaim(pd);
	calls = pp_host_calls(pd);
	ns = bench_spread(&b, &fails);
	P("translated_spread_ns_per_map_unmap=%llu\n", ns);
	P("translated_spread_host_calls_per_1000_maps=%llu\n",
	  (pp_host_calls(pd) - calls) * 1000 / n);

	/* Second lap over the same pages: idle mappings are reused. */
	calls = pp_host_calls(pd);
	ns = bench_spread(&b, &fails);
	P("translated_spread_again_ns_per_map_unmap=%llu\n", ns);
	P("translated_spread_again_host_calls_per_1000_maps=%llu\n",
	  (pp_host_calls(pd) - calls) * 1000 / n);

	pp_reclaim(pd);
	calls = pp_host_calls(pd);
	ns = bench_sg(&b, &fails, &lists);
	P("translated_sg64_ns_per_list=%llu\n", ns);
	P("translated_sg64_host_calls_per_list_x1000=%llu\n",
	  (pp_host_calls(pd) - calls) * 1000 / max(lists, 1u));
	P("translated_failures=%u\n", fails);
	pp_reclaim(pd);

	/* dma-direct: the mapper device itself is not managed. */
	fails = 0;
	b.dev = &pd->pdev->dev;
	b.n = n / 8;
	bench_same(&b, &fails);
	b.n = n;
	ns_direct_same = bench_same(&b, &fails);
	ns_direct_spread = bench_spread(&b, &fails);
	ns = bench_sg(&b, &fails, &lists);
	P("direct_same_page_ns_per_map_unmap=%llu\n", ns_direct_same);
	P("direct_spread_ns_per_map_unmap=%llu\n", ns_direct_spread);
	P("direct_sg64_ns_per_list=%llu\n", ns);
	P("direct_failures=%u\n", fails);
#undef P
	kfree(pd->bench_out);
	pd->bench_out = out;
	out = NULL;
	mutex_unlock(&pd->dbg_mutex);
	ret = len;
out:
	if (b.pages)
		for (i = 0; i < n; i++)
			if (b.pages[i])
				__free_page(b.pages[i]);
	kvfree(b.pages);
	kvfree(b.dma);
	kfree(out);
	pci_dev_put(mdev);
	return ret;
}

static ssize_t bench_read(struct file *f, char __user *buf, size_t len,
			  loff_t *ppos)
{
	struct pp_dev *pd = file_inode(f)->i_private;
	ssize_t ret;

	mutex_lock(&pd->dbg_mutex);
	ret = pd->bench_out ?
	      simple_read_from_buffer(buf, len, ppos, pd->bench_out,
				      strlen(pd->bench_out)) : 0;
	mutex_unlock(&pd->dbg_mutex);
	return ret;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = bench_read,
	.write = bench_write,
	.llseek = default_llseek,
};

/* ---- per device ----------------------------------------------------------- */

void pp_debugfs_init(struct pp_dev *pd)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(pp_root))
		return;
	d = debugfs_create_dir(pd->name, pp_root);
	pd->dbg = d;
	debugfs_create_file("stats", 0444, d, pd, &stats_fops);
	debugfs_create_file("windows", 0444, d, pd, &windows_fops);
	debugfs_create_file("managed", 0444, d, pd, &managed_fops);
	debugfs_create_file("usage", 0444, d, pd, &usage_fops);
	debugfs_create_file("regs", 0444, d, pd, &regs_fops);
	debugfs_create_file("reclaim", 0200, d, pd, &reclaim_fops);
	debugfs_create_file_unsafe("trace_enable", 0644, d, pd,
				   &trace_enable_fops);
	debugfs_create_file("trace", 0444, d, pd, &trace_fops);
	if (pp_allow_raw) {
		debugfs_create_file("raw", 0600, d, pd, &raw_fops);
		debugfs_create_file("raw_gpa", 0600, d, pd, &raw_gpa_fops);
		debugfs_create_file("bench", 0600, d, pd, &bench_fops);
	}
}

void pp_debugfs_fini(struct pp_dev *pd)
{
	debugfs_remove_recursive(pd->dbg);
	pd->dbg = NULL;
}
