// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_dma: the NVIDIA UVM page-size quirk (docs/guest-quirks.md).
 *
 * From driver 575 on, UVM's uvm_rm_mem_alloc() asks
 *
 *	NV_STATUS nvUvmInterfaceMemoryAllocSys(uvmGpuAddressSpaceHandle vaSpace,
 *					       NvLength length,
 *					       UvmGpuPointer *gpuPointer,
 *					       UvmGpuAllocInfo *allocInfo);
 *
 * for 2 MiB (size >= 2M) or 64 KiB (size >= 64K) system-memory pages, and RM
 * then asserts that the DMA address is aligned to that page size
 * (NV_ERR_INVALID_OFFSET).  Behind Apple's DART the bus address is chosen by
 * the DART, aligned to 16 KiB only, so the allocation fails and UVM does not
 * retry (it retries with the default only on NV_ERR_NO_MEMORY).  Rewriting
 * the request to UVM_PAGE_SIZE_DEFAULT (0) makes RM pick the page size
 * after looking at the real address.
 *
 * A kprobe on that function (allocInfo is the 4th argument: x3 on arm64,
 * rcx on x86-64) does the rewrite, only:
 *  - while "wanted": a managed device is NVIDIA (vendor 0x10de), or the
 *    quirk_uvm_force parameter is set, and the quirks parameter is on;
 *  - while a module named exactly "nvidia" is live and its version string
 *    names a driver whose UvmGpuAllocInfo layout we know (see layouts[]);
 *  - on a call whose allocInfo passes every check (kernel pointer,
 *    readable, gpuPhysOffset 0, alignment 0 or a power of two, pageSize a
 *    UVM page-size constant).  A call that fails one is left alone and
 *    counted as an anomaly; after quirk_uvm_max_anomalies anomalies the
 *    hook disarms itself until that nvidia module is unloaded.
 *
 * Only 64 KiB and 2 MiB requests are rewritten; 0 and every other size
 * pass untouched.
 *
 * Locking: pp_uvm_mutex orders all arming and disarming (the module
 * notifier, the reconcile work, init/exit).  The module notifier is
 * registered for the whole life of the module and never under that mutex
 * (the notifier chain's rwsem is taken before it).  The kprobe handler
 * runs in atomic context and only touches atomics and the layout, which is
 * constant while the kprobe is registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": uvm quirk: " fmt

#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/kobject.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "quirks.h"

static bool quirk_uvm_force;
module_param(quirk_uvm_force, bool, 0444);
MODULE_PARM_DESC(quirk_uvm_force, "arm the NVIDIA UVM page-size quirk without an NVIDIA managed device (testing; default off)");

static unsigned int quirk_uvm_max_anomalies = 5;
module_param(quirk_uvm_max_anomalies, uint, 0444);
MODULE_PARM_DESC(quirk_uvm_max_anomalies, "malformed calls after which the UVM hook disarms itself (default 5)");

#define PP_UVM_MODULE "nvidia"
#define PP_UVM_FUNC "nvUvmInterfaceMemoryAllocSys"

/* nv_uvm_user_types.h */
#define UVM_PAGE_SIZE_DEFAULT	0x0ull
#define UVM_PAGE_SIZE_4K	0x1000ull
#define UVM_PAGE_SIZE_64K	0x10000ull
#define UVM_PAGE_SIZE_128K	0x20000ull
#define UVM_PAGE_SIZE_2M	0x200000ull
#define UVM_PAGE_SIZE_512M	0x20000000ull
#define UVM_PAGE_SIZE_256G	0x4000000000ull

#if defined(CONFIG_ARM64)
#define PP_UVM_ARG3(regs)	((regs)->regs[3])	/* AAPCS64: x3 */
#define PP_UVM_SUPPORTED	1
#elif defined(CONFIG_X86_64)
#define PP_UVM_ARG3(regs)	((regs)->cx)		/* SysV: rcx */
#define PP_UVM_SUPPORTED	1
#else
#define PP_UVM_SUPPORTED	0
#endif

/*
 * UvmGpuAllocInfo as each driver branch defines it (nv_uvm_types.h).
 * 535.43.02 .. 595.45.04: identical, pageSize NvU64 at +8; 530.30.02 only
 * lacks the trailing bUnprotected.  520.56.06: NvU32 pageSize at +8;
 * 515.43.04: NvU32 pageSize at +24.  For those two the offsets of the other
 * fields were not checked, so only pageSize is validated.  Any other
 * version (including 521..529) is unknown: the quirk does not arm.
 */
struct pp_uvm_layout {
	unsigned int min_major, max_major;
	const char *name;
	unsigned int ps_off, ps_width;	/* pageSize */
	int phys_off;			/* gpuPhysOffset (NvU64), -1: unknown */
	int align_off;			/* alignment (NvU64), -1: unknown */
	unsigned int read_len;		/* bytes read per call */
	unsigned int ptr_align;		/* required alignment of allocInfo */
};

static const struct pp_uvm_layout pp_uvm_layouts[] = {
	{ 530, 9999, "pageSize u64 @8 (>= 530)", 8, 8, 0, 16, 24, 8 },
	{ 520, 520, "pageSize u32 @8 (520)", 8, 4, -1, -1, 12, 4 },
	{ 515, 515, "pageSize u32 @24 (515)", 24, 4, -1, -1, 28, 4 },
};

#define PP_UVM_READ_MAX 32

enum {
	PP_UVM_BAD_PTR,		/* NULL, user or misaligned pointer */
	PP_UVM_UNREADABLE,	/* copy_from_kernel_nofault failed */
	PP_UVM_BAD_PHYS,	/* gpuPhysOffset (an OUT field) not 0 */
	PP_UVM_BAD_ALIGN,	/* alignment neither 0 nor a power of two */
	PP_UVM_BAD_SIZE,	/* pageSize not a UVM page-size constant */
	PP_UVM_WRITE_FAILED,	/* the rewrite itself faulted */
	PP_UVM_NR_ANOMALY
};

static const char * const pp_uvm_anomaly_names[PP_UVM_NR_ANOMALY] = {
	"bad_pointer", "unreadable", "gpu_phys_offset", "alignment",
	"page_size", "write_failed",
};

static struct {
	atomic64_t calls, rewrites_64k, rewrites_2m, untouched, ignored;
	atomic64_t anomalies, anomaly[PP_UVM_NR_ANOMALY];
	atomic_t inst_anomalies;	/* since this nvidia instance was armed */
	atomic_t tripped;		/* disarm pending / done for this instance */
} pp_uvm_st;

static DEFINE_MUTEX(pp_uvm_mutex);
/* under pp_uvm_mutex */
static struct kprobe pp_uvm_kp;
static bool pp_uvm_registered;
static struct module *pp_uvm_mod;		/* the nvidia instance probed */
static const struct pp_uvm_layout *pp_uvm_layout;
static char pp_uvm_version[32] = "-";	/* of the last nvidia seen */
static const char *pp_uvm_state = "idle";
static unsigned int pp_uvm_arms, pp_uvm_disarms, pp_uvm_trips;
static unsigned int pp_uvm_refused;	/* instances with an unknown layout */
static unsigned long pp_uvm_missed;	/* kprobe nmissed, summed */
static bool pp_uvm_notifier_on;

static atomic_t pp_uvm_refs = ATOMIC_INIT(0);	/* NVIDIA managed devices */
static void pp_uvm_work_fn(struct work_struct *work);
static DECLARE_WORK(pp_uvm_work, pp_uvm_work_fn);
static bool pp_uvm_exiting;

static bool pp_uvm_wanted(void)
{
	return pp_quirks && (quirk_uvm_force || atomic_read(&pp_uvm_refs) > 0);
}

/* ---- the probe ------------------------------------------------------------ */

static bool pp_uvm_known_size(u64 ps)
{
	switch (ps) {
	case UVM_PAGE_SIZE_DEFAULT:
	case UVM_PAGE_SIZE_4K:
	case UVM_PAGE_SIZE_64K:
	case UVM_PAGE_SIZE_128K:
	case UVM_PAGE_SIZE_2M:
	case UVM_PAGE_SIZE_512M:
	case UVM_PAGE_SIZE_256G:
		return true;
	}
	return false;
}

static u64 pp_uvm_get(const u8 *buf, unsigned int off, unsigned int width)
{
	u64 v64;
	u32 v32;

	if (width == 8) {
		memcpy(&v64, buf + off, 8);
		return v64;
	}
	memcpy(&v32, buf + off, 4);
	return v32;
}

/* Writes 0 to the pageSize field; false if that faulted. */
static bool pp_uvm_clear(unsigned long addr, unsigned int width)
{
	const u64 zero64 = 0;
	const u32 zero32 = 0;

	/* copy_to_kernel_nofault() is not exported; this is its body. */
	pagefault_disable();
	if (width == 8)
		__put_kernel_nofault((void *)addr, &zero64, u64, fault);
	else
		__put_kernel_nofault((void *)addr, &zero32, u32, fault);
	pagefault_enable();
	return true;
fault:
	pagefault_enable();
	return false;
}

static void pp_uvm_anomaly(int why, unsigned long ptr, u64 ps, u64 phys,
			   u64 align)
{
	unsigned int max = READ_ONCE(quirk_uvm_max_anomalies);
	int n;

	atomic64_inc(&pp_uvm_st.anomalies);
	atomic64_inc(&pp_uvm_st.anomaly[why]);
	n = atomic_inc_return(&pp_uvm_st.inst_anomalies);
	pr_warn_ratelimited("anomaly %d (%s): allocInfo %p pageSize %#llx gpuPhysOffset %#llx alignment %#llx; call left untouched\n",
			    n, pp_uvm_anomaly_names[why], (void *)ptr, ps,
			    phys, align);
	if (max && n >= max && !atomic_xchg(&pp_uvm_st.tripped, 1)) {
		pr_err("%d anomalies: the UvmGpuAllocInfo layout may have changed; disarming %s until the nvidia module is reloaded\n",
		       n, PP_UVM_FUNC);
		schedule_work(&pp_uvm_work);
	}
}

static int pp_uvm_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct pp_uvm_layout *l = READ_ONCE(pp_uvm_layout);
	u64 ps, phys = 0, align = 0;
	u8 buf[PP_UVM_READ_MAX];
	unsigned long ptr;

	atomic64_inc(&pp_uvm_st.calls);
	if (!l || atomic_read(&pp_uvm_st.tripped)) {
		atomic64_inc(&pp_uvm_st.ignored);
		return 0;
	}
	ptr = PP_UVM_ARG3(regs);
	if (!ptr || ptr < PAGE_OFFSET || !IS_ALIGNED(ptr, l->ptr_align)) {
		pp_uvm_anomaly(PP_UVM_BAD_PTR, ptr, 0, 0, 0);
		return 0;
	}
	if (copy_from_kernel_nofault(buf, (const void *)ptr, l->read_len)) {
		pp_uvm_anomaly(PP_UVM_UNREADABLE, ptr, 0, 0, 0);
		return 0;
	}
	ps = pp_uvm_get(buf, l->ps_off, l->ps_width);
	if (l->phys_off >= 0)
		phys = pp_uvm_get(buf, l->phys_off, 8);
	if (l->align_off >= 0)
		align = pp_uvm_get(buf, l->align_off, 8);
	if (phys) {
		pp_uvm_anomaly(PP_UVM_BAD_PHYS, ptr, ps, phys, align);
		return 0;
	}
	if (align && !is_power_of_2(align)) {
		pp_uvm_anomaly(PP_UVM_BAD_ALIGN, ptr, ps, phys, align);
		return 0;
	}
	if (!pp_uvm_known_size(ps)) {
		pp_uvm_anomaly(PP_UVM_BAD_SIZE, ptr, ps, phys, align);
		return 0;
	}
	if (ps != UVM_PAGE_SIZE_64K && ps != UVM_PAGE_SIZE_2M) {
		atomic64_inc(&pp_uvm_st.untouched);
		return 0;
	}
	if (!pp_uvm_clear(ptr + l->ps_off, l->ps_width)) {
		pp_uvm_anomaly(PP_UVM_WRITE_FAILED, ptr, ps, phys, align);
		return 0;
	}
	atomic64_inc(ps == UVM_PAGE_SIZE_2M ? &pp_uvm_st.rewrites_2m :
					      &pp_uvm_st.rewrites_64k);
	pr_info_ratelimited("pageSize %#llx -> 0 (default) for a %llu-byte allocation\n",
			    ps, (unsigned long long)regs_get_kernel_argument(regs, 1));
	return 0;
}
NOKPROBE_SYMBOL(pp_uvm_pre);

/* ---- arming ---------------------------------------------------------------- */

/* The driver branch of a version string such as "580.142" or "580.65.06". */
static int pp_uvm_major(const char *v, unsigned int *major)
{
	unsigned int m = 0, n = 0;

	if (!v)
		return -ENOENT;
	for (; isdigit(*v); v++, n++) {
		if (n == 4)
			return -EINVAL;
		m = m * 10 + (*v - '0');
	}
	if (!n || v[0] != '.' || !isdigit(v[1]))
		return -EINVAL;
	*major = m;
	return 0;
}

static const struct pp_uvm_layout *pp_uvm_find_layout(unsigned int major)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pp_uvm_layouts); i++)
		if (major >= pp_uvm_layouts[i].min_major &&
		    major <= pp_uvm_layouts[i].max_major)
			return &pp_uvm_layouts[i];
	return NULL;
}

static void pp_uvm_disarm(const char *why)
{
	lockdep_assert_held(&pp_uvm_mutex);
	if (!pp_uvm_registered)
		return;
	unregister_kprobe(&pp_uvm_kp);
	pp_uvm_missed += pp_uvm_kp.nmissed;
	pp_uvm_registered = false;
	pp_uvm_mod = NULL;
	WRITE_ONCE(pp_uvm_layout, NULL);
	pp_uvm_disarms++;
	pp_uvm_state = why;
	pr_info("disarmed (%s)\n", why);
}

/* Probes @mod, a live module named "nvidia", if its layout is known. */
static void pp_uvm_arm(struct module *mod)
{
	const struct pp_uvm_layout *l;
	unsigned int major;
	int ret;

	lockdep_assert_held(&pp_uvm_mutex);
	if (!PP_UVM_SUPPORTED || pp_uvm_registered || pp_uvm_exiting ||
	    !pp_uvm_wanted() || atomic_read(&pp_uvm_st.tripped))
		return;
	strscpy(pp_uvm_version, mod->version ?: "(none)",
		sizeof(pp_uvm_version));
	if (pp_uvm_major(mod->version, &major)) {
		pr_warn("nvidia module version '%s' is not a driver version: layout of UvmGpuAllocInfo unknown, not arming\n",
			pp_uvm_version);
		pp_uvm_refused++;
		pp_uvm_state = "unknown version";
		return;
	}
	l = pp_uvm_find_layout(major);
	if (!l) {
		pr_warn("nvidia %s: UvmGpuAllocInfo layout of branch %u is unknown, not arming (known: 515, 520, >= 530)\n",
			pp_uvm_version, major);
		pp_uvm_refused++;
		pp_uvm_state = "unknown layout";
		return;
	}

	memset(&pp_uvm_kp, 0, sizeof(pp_uvm_kp));
	pp_uvm_kp.symbol_name = PP_UVM_MODULE ":" PP_UVM_FUNC;
	pp_uvm_kp.pre_handler = pp_uvm_pre;
	atomic_set(&pp_uvm_st.inst_anomalies, 0);
	WRITE_ONCE(pp_uvm_layout, l);
	ret = register_kprobe(&pp_uvm_kp);
	if (ret) {
		WRITE_ONCE(pp_uvm_layout, NULL);
		pr_warn("nvidia %s: cannot probe %s: %d; not arming\n",
			pp_uvm_version, PP_UVM_FUNC, ret);
		pp_uvm_state = "probe failed";
		return;
	}
	pp_uvm_registered = true;
	pp_uvm_mod = mod;
	pp_uvm_arms++;
	pp_uvm_state = "armed";
	pr_info("armed on nvidia %s (%s): 64K/2M system-memory page sizes become the default\n",
		pp_uvm_version, l->name);
}

/* A module named "nvidia" that is live now, with a reference, or NULL. */
static struct module *pp_uvm_get_nvidia(void)
{
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	struct module_kobject *mk;
	struct module *mod = NULL;
	struct kobject *kobj;

	if (!modules)
		return NULL;
	/* /sys/module/nvidia; the kobject reference keeps *mod allocated */
	kobj = kset_find_obj(modules, PP_UVM_MODULE);
	if (!kobj)
		return NULL;
	mk = container_of(kobj, struct module_kobject, kobj);
	if (mk->mod && READ_ONCE(mk->mod->state) == MODULE_STATE_LIVE &&
	    try_module_get(mk->mod))
		mod = mk->mod;
	kobject_put(kobj);
	return mod;
}

/* Brings the probe in line with what is wanted and what is loaded. */
static void pp_uvm_work_fn(struct work_struct *work)
{
	struct module *mod;

	mutex_lock(&pp_uvm_mutex);
	if (pp_uvm_registered && atomic_read(&pp_uvm_st.tripped)) {
		pp_uvm_trips++;
		pp_uvm_disarm("too many anomalies");
		pp_uvm_state = "tripped";
	} else if (pp_uvm_registered && !pp_uvm_wanted()) {
		pp_uvm_disarm("no NVIDIA device");
	} else if (!pp_uvm_registered && pp_uvm_wanted()) {
		mod = pp_uvm_get_nvidia();
		if (mod) {
			pp_uvm_arm(mod);
			module_put(mod);
		} else if (strcmp(pp_uvm_state, "tripped")) {
			pp_uvm_state = "waiting for nvidia";
		}
	}
	mutex_unlock(&pp_uvm_mutex);
}

static int pp_uvm_module_notify(struct notifier_block *nb, unsigned long action,
				void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, PP_UVM_MODULE))
		return NOTIFY_DONE;
	mutex_lock(&pp_uvm_mutex);
	switch (action) {
	case MODULE_STATE_LIVE:
		pp_uvm_arm(mod);
		break;
	case MODULE_STATE_GOING:
		if (pp_uvm_mod == mod)
			pp_uvm_disarm("nvidia unloading");
		if (atomic_xchg(&pp_uvm_st.tripped, 0))
			pr_info("nvidia unloading: a new nvidia module may arm the quirk again\n");
		if (pp_uvm_wanted())
			pp_uvm_state = "waiting for nvidia";
		break;
	}
	mutex_unlock(&pp_uvm_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block pp_uvm_nb = {
	.notifier_call = pp_uvm_module_notify,
};

void pp_quirk_uvm_device_get(struct pci_dev *pdev)
{
	if (pdev->vendor != PCI_VENDOR_ID_NVIDIA || !pp_uvm_notifier_on)
		return;
	atomic_inc(&pp_uvm_refs);
	schedule_work(&pp_uvm_work);
}

void pp_quirk_uvm_device_put(struct pci_dev *pdev)
{
	if (pdev->vendor != PCI_VENDOR_ID_NVIDIA || !pp_uvm_notifier_on)
		return;
	atomic_dec(&pp_uvm_refs);
	schedule_work(&pp_uvm_work);
}

int pp_quirk_uvm_init(void)
{
	int ret;

	if (!pp_quirks) {
		pp_uvm_state = "quirks=0";
		return 0;
	}
	if (!PP_UVM_SUPPORTED) {
		pp_uvm_state = "unsupported architecture";
		return 0;
	}
	ret = register_module_notifier(&pp_uvm_nb);
	if (ret) {
		pr_warn("cannot watch module loads (%d): quirk off\n", ret);
		pp_uvm_state = "notifier failed";
		return 0;
	}
	pp_uvm_notifier_on = true;
	if (quirk_uvm_force)
		pr_info("quirk_uvm_force=1: armed whenever nvidia is loaded (testing)\n");
	/* nvidia may be loaded already: look now, synchronously. */
	pp_uvm_work_fn(NULL);
	return 0;
}

void pp_quirk_uvm_exit(void)
{
	if (!pp_uvm_notifier_on)
		return;
	/*
	 * No new arming from the notifier, then none from the work; the probe
	 * goes before the work is flushed, as its handler may queue the work.
	 */
	unregister_module_notifier(&pp_uvm_nb);
	mutex_lock(&pp_uvm_mutex);
	pp_uvm_exiting = true;
	pp_uvm_disarm("pcipass_dma unloading");
	mutex_unlock(&pp_uvm_mutex);
	cancel_work_sync(&pp_uvm_work);
	pp_uvm_notifier_on = false;
}

void pp_quirk_uvm_show(struct seq_file *s)
{
	unsigned long missed;
	int i;

	mutex_lock(&pp_uvm_mutex);
	missed = pp_uvm_missed + (pp_uvm_registered ? pp_uvm_kp.nmissed : 0);
	seq_printf(s, "uvm_wanted=%d\n", pp_uvm_wanted());
	seq_printf(s, "uvm_forced=%d\n", quirk_uvm_force);
	seq_printf(s, "uvm_nvidia_devices=%d\n", atomic_read(&pp_uvm_refs));
	seq_printf(s, "uvm_armed=%d\n", pp_uvm_registered);
	seq_printf(s, "uvm_state=%s\n", pp_uvm_state);
	seq_printf(s, "uvm_nvidia_version=%s\n", pp_uvm_version);
	seq_printf(s, "uvm_layout=%s\n",
		   pp_uvm_registered ? pp_uvm_layout->name : "-");
	seq_printf(s, "uvm_arms=%u\nuvm_disarms=%u\nuvm_trips=%u\n",
		   pp_uvm_arms, pp_uvm_disarms, pp_uvm_trips);
	seq_printf(s, "uvm_refused=%u\n", pp_uvm_refused);
	seq_printf(s, "uvm_kprobe_missed=%lu\n", missed);
	mutex_unlock(&pp_uvm_mutex);
#define A(f) seq_printf(s, "uvm_" #f "=%lld\n", atomic64_read(&pp_uvm_st.f))
	A(calls); A(rewrites_64k); A(rewrites_2m); A(untouched);
	A(ignored); A(anomalies);
#undef A
	seq_printf(s, "uvm_rewrites=%lld\n",
		   atomic64_read(&pp_uvm_st.rewrites_64k) +
		   atomic64_read(&pp_uvm_st.rewrites_2m));
	seq_printf(s, "uvm_anomalies_this_load=%d\n",
		   atomic_read(&pp_uvm_st.inst_anomalies));
	seq_printf(s, "uvm_max_anomalies=%u\n", quirk_uvm_max_anomalies);
	for (i = 0; i < PP_UVM_NR_ANOMALY; i++)
		seq_printf(s, "uvm_anomaly_%s=%lld\n", pp_uvm_anomaly_names[i],
			   atomic64_read(&pp_uvm_st.anomaly[i]));
}
