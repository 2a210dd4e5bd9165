// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ABI twin of the NVIDIA kernel module for tests/guest/quirk-uvm: a module
 * named "nvidia" whose version string and exported
 *
 *	NV_STATUS nvUvmInterfaceMemoryAllocSys(uvmGpuAddressSpaceHandle vaSpace,
 *					       NvLength length,
 *					       UvmGpuPointer *gpuPointer,
 *					       UvmGpuAllocInfo *allocInfo);
 *
 * match a real driver's, so pcipass_dma's UVM quirk can be exercised
 * without NVIDIA hardware.  Nothing here is NVIDIA code: the prototype and
 * the struct layout are restated from nv_uvm_interface.h / nv_uvm_types.h
 * (open-gpu-kernel-modules; see docs/guest-quirks.md).
 *
 * twin_config.h (written by twin/build) sets
 *	TWIN_VERSION	MODULE_VERSION, e.g. "580.142"
 *	TWIN_LAYOUT	530: the 530..595 layout (pageSize NvU64 at +8)
 *			520: the 520 layout (pageSize NvU32 at +8)
 *
 * debugfs nvidia_twin/:
 *	call	write "PAGESIZE [GPUPHYSOFFSET [ALIGNMENT [LENGTH]]]" to call
 *		the function the way UVM's uvm_rm_mem_alloc() does (a zeroed
 *		UvmGpuAllocInfo on the stack, through the exported symbol), or
 *		"null" to pass a NULL allocInfo
 *	last	what the last call received: key=value lines
 *
 * Like RM, the function fails a 2 MiB request whose (fake, DART-like,
 * 16 KiB-aligned) bus address is not 2 MiB aligned with
 * NV_ERR_INVALID_OFFSET, so "status" shows what the quirk prevents.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "twin_config.h"

typedef u32 NV_STATUS;
typedef u8 NvBool;
typedef u32 NvHandle;
typedef void *uvmGpuAddressSpaceHandle;
typedef u64 NvLength;
typedef unsigned long long UvmGpuPointer;

#define NV_OK			0x00000000u
#define NV_ERR_INVALID_ARGUMENT	0x0000001fu
#define NV_ERR_INVALID_OFFSET	0x00000022u

#if TWIN_LAYOUT == 530
typedef struct UvmGpuAllocInfo_tag {
	u64 gpuPhysOffset;
	u64 pageSize;
	u64 alignment;
	NvBool bContiguousPhysAlloc;
	NvBool bMemGrowsDown;
	NvBool bPersistentVidmem;
	NvHandle hPhysHandle;
	NvBool bUnprotected;
} UvmGpuAllocInfo;
_Static_assert(offsetof(UvmGpuAllocInfo, gpuPhysOffset) == 0, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, pageSize) == 8, "layout");
_Static_assert(sizeof(((UvmGpuAllocInfo *)0)->pageSize) == 8, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, alignment) == 16, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, bContiguousPhysAlloc) == 24, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, bMemGrowsDown) == 25, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, bPersistentVidmem) == 26, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, hPhysHandle) == 28, "layout");
_Static_assert(offsetof(UvmGpuAllocInfo, bUnprotected) == 32, "layout");
_Static_assert(sizeof(UvmGpuAllocInfo) == 40, "layout");
#elif TWIN_LAYOUT == 520
/* Only pageSize's offset and width are known for 520; the rest is filler. */
typedef struct UvmGpuAllocInfo_tag {
	u64 gpuPhysOffset;
	u32 pageSize;
	u32 pad;
	u64 alignment;
	NvBool bContiguousPhysAlloc;
	NvBool bMemGrowsDown;
	NvBool bPersistentVidmem;
	NvHandle hPhysHandle;
} UvmGpuAllocInfo;
_Static_assert(offsetof(UvmGpuAllocInfo, pageSize) == 8, "layout");
_Static_assert(sizeof(((UvmGpuAllocInfo *)0)->pageSize) == 4, "layout");
#else
#error "TWIN_LAYOUT must be 530 or 520"
#endif

static DEFINE_MUTEX(twin_mutex);
static struct dentry *twin_dir;

static struct {
	u64 calls;
	u64 length;
	u64 page_size;		/* as the callee saw it */
	u64 gpu_phys_offset;
	u64 alignment;
	bool null_info;
	NV_STATUS status;
	/* what the last "call" asked for, before the call */
	u64 asked_page_size;
} twin;

NV_STATUS nvUvmInterfaceMemoryAllocSys(uvmGpuAddressSpaceHandle vaSpace,
				       NvLength length,
				       UvmGpuPointer *gpuPointer,
				       UvmGpuAllocInfo *allocInfo);

noinline NV_STATUS nvUvmInterfaceMemoryAllocSys(uvmGpuAddressSpaceHandle vaSpace,
						NvLength length,
						UvmGpuPointer *gpuPointer,
						UvmGpuAllocInfo *allocInfo)
{
	/* a DART-chosen bus address: 16 KiB aligned, not 64 KiB */
	const u64 bus = 0x100004000ull;

	twin.calls++;
	twin.length = length;
	if (!allocInfo) {
		twin.null_info = true;
		twin.status = NV_ERR_INVALID_ARGUMENT;
		return twin.status;
	}
	twin.null_info = false;
	twin.page_size = allocInfo->pageSize;
	twin.gpu_phys_offset = allocInfo->gpuPhysOffset;
	twin.alignment = allocInfo->alignment;
	if (allocInfo->pageSize == 0x200000 && (bus & (0x200000 - 1)))
		twin.status = NV_ERR_INVALID_OFFSET;	/* RM's HUGE assert */
	else
		twin.status = NV_OK;
	if (twin.status == NV_OK && gpuPointer)
		*gpuPointer = 0x7f0000000000ull;
	return twin.status;
}
EXPORT_SYMBOL(nvUvmInterfaceMemoryAllocSys);

/* Called through a volatile pointer: no inlining, no constant clones. */
static NV_STATUS (*volatile twin_fn)(uvmGpuAddressSpaceHandle, NvLength,
				     UvmGpuPointer *, UvmGpuAllocInfo *) =
	nvUvmInterfaceMemoryAllocSys;

static ssize_t call_write(struct file *f, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	unsigned long long ps = 0, phys = 0, align = 0, length = 0;
	UvmGpuAllocInfo info;
	UvmGpuPointer gpu = 0;
	char buf[128];
	int n;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	mutex_lock(&twin_mutex);
	if (sysfs_streq(buf, "null")) {
		twin.asked_page_size = 0;
		twin_fn(&twin, 0x10000, &gpu, NULL);
		mutex_unlock(&twin_mutex);
		return len;
	}
	n = sscanf(buf, "%lli %lli %lli %lli", &ps, &phys, &align, &length);
	if (n < 1) {
		mutex_unlock(&twin_mutex);
		return -EINVAL;
	}
	if (!length)	/* UVM asks 2M for >= 2M, 64K for >= 64K */
		length = max(ps, 4096ull);
	memset(&info, 0, sizeof(info));	/* as uvm_rm_mem_alloc() does */
	info.pageSize = ps;
	info.gpuPhysOffset = phys;
	info.alignment = align;
	twin.asked_page_size = ps;
	twin_fn(&twin, length, &gpu, &info);
	mutex_unlock(&twin_mutex);
	return len;
}

static const struct file_operations call_fops = {
	.owner = THIS_MODULE,
	.write = call_write,
};

static int last_show(struct seq_file *s, void *unused)
{
	mutex_lock(&twin_mutex);
	seq_printf(s, "version=%s\nlayout=%d\n", TWIN_VERSION, TWIN_LAYOUT);
	seq_printf(s, "calls=%llu\n", twin.calls);
	seq_printf(s, "asked_page_size=%llu\n", twin.asked_page_size);
	seq_printf(s, "page_size=%llu\n", twin.page_size);
	seq_printf(s, "gpu_phys_offset=%llu\n", twin.gpu_phys_offset);
	seq_printf(s, "alignment=%llu\n", twin.alignment);
	seq_printf(s, "length=%llu\n", twin.length);
	seq_printf(s, "null_info=%d\n", twin.null_info);
	seq_printf(s, "status=%#x\n", twin.status);
	mutex_unlock(&twin_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(last);

static int __init twin_init(void)
{
	twin_dir = debugfs_create_dir("nvidia_twin", NULL);
	debugfs_create_file("call", 0200, twin_dir, NULL, &call_fops);
	debugfs_create_file("last", 0444, twin_dir, NULL, &last_fops);
	pr_info("nvidia ABI twin %s (UvmGpuAllocInfo layout %d) loaded: not a GPU driver\n",
		TWIN_VERSION, TWIN_LAYOUT);
	return 0;
}

static void __exit twin_exit(void)
{
	debugfs_remove_recursive(twin_dir);
}

module_init(twin_init);
module_exit(twin_exit);

MODULE_DESCRIPTION("pcipass test: ABI twin of nvidia.ko's nvUvmInterfaceMemoryAllocSys");
MODULE_AUTHOR("pcipass contributors");
MODULE_LICENSE("GPL");
MODULE_VERSION(TWIN_VERSION);
