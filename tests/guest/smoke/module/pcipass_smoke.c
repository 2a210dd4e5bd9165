// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_smoke: the guest testbed's smoke-test module.
 *
 * Proves that a module built by testbed/kbuild against the packaged headers
 * loads into the guest kernel and talks to userspace.  It fills a buffer from
 * a seed (module parameter) with a xorshift32 sequence and exposes, under
 * /sys/kernel/debug/pcipass_smoke/:
 *   seed     the seed, decimal
 *   digest   CRC-32 (IEEE, as zlib computes it) of the buffer, 8 hex digits
 *   reads    how many times digest was read, decimal
 * The test program (smoke-check.c) recomputes the digest independently.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/atomic.h>

#define SMOKE_BUF_LEN 4096

static unsigned int seed = 0x5eed;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "non-zero seed of the xorshift32 buffer (default 0x5eed)");

static struct dentry *smoke_dir;
static u32 smoke_digest;
static atomic_t smoke_reads = ATOMIC_INIT(0);

static u32 xorshift32(u32 x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static u32 smoke_compute(u32 s)
{
	u8 *buf;
	u32 crc, x = s;
	int i;

	buf = kmalloc(SMOKE_BUF_LEN, GFP_KERNEL);
	if (!buf)
		return 0;
	for (i = 0; i < SMOKE_BUF_LEN; i++) {
		x = xorshift32(x);
		buf[i] = x & 0xff;
	}
	crc = crc32_le(~0U, buf, SMOKE_BUF_LEN) ^ ~0U;
	kfree(buf);
	return crc;
}

static int digest_show(struct seq_file *m, void *unused)
{
	atomic_inc(&smoke_reads);
	seq_printf(m, "%08x\n", smoke_digest);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(digest);

static int reads_get(void *data, u64 *val)
{
	*val = atomic_read(&smoke_reads);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(reads_fops, reads_get, NULL, "%llu\n");

static int __init smoke_init(void)
{
	if (!seed) {
		pr_err("seed must be non-zero (xorshift32 has a fixed point at 0)\n");
		return -EINVAL;
	}
	smoke_digest = smoke_compute(seed);
	if (!smoke_digest)
		return -ENOMEM;

	smoke_dir = debugfs_create_dir("pcipass_smoke", NULL);
	if (IS_ERR(smoke_dir))
		return PTR_ERR(smoke_dir);
	debugfs_create_u32("seed", 0444, smoke_dir, &seed);
	debugfs_create_file("digest", 0444, smoke_dir, NULL, &digest_fops);
	debugfs_create_file_unsafe("reads", 0444, smoke_dir, NULL, &reads_fops);
	pr_info("loaded, seed %u digest %08x\n", seed, smoke_digest);
	return 0;
}

static void __exit smoke_exit(void)
{
	debugfs_remove(smoke_dir);
	pr_info("unloaded after %d digest read(s)\n", atomic_read(&smoke_reads));
}

module_init(smoke_init);
module_exit(smoke_exit);

MODULE_DESCRIPTION("pcipass guest testbed smoke-test module");
MODULE_LICENSE("GPL");
