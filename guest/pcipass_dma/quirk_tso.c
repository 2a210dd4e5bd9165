// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_dma: the TSO prctl shim for FEX-Emu (arm64 only;
 * docs/guest-quirks.md).
 *
 * Apple cores can run with x86-style total store ordering: ACTLR_EL1 bit 1
 * (EnTSO).  The host sets it on every vCPU (QEMU "-accel hvf,tso=on",
 * macOS 15+); the guest must never write it (flipping it from inside the
 * guest broke about half of all boots).  FEX only drops its costly
 * software TSO emulation when the kernel speaks Asahi's downstream prctl
 * ABI, which mainline answers with -EINVAL:
 *
 *	r = prctl(PR_GET_MEM_MODEL, 0, 0, 0, 0);
 *	if (r == -1) return;					// unsupported
 *	if (r == PR_SET_MEM_MODEL_DEFAULT &&
 *	    prctl(PR_SET_MEM_MODEL, PR_SET_MEM_MODEL_TSO, 0, 0, 0) == 0)
 *		hardware TSO;
 *
 * When EnTSO reads as set on every online CPU (or quirk_tso_force is set,
 * for testing), a kretprobe on __arm64_sys_prctl turns the stock -EINVAL
 * of exactly these calls into:
 *	PR_GET_MEM_MODEL, args 2..5 zero		-> 0 (DEFAULT)
 *	PR_SET_MEM_MODEL, arg2 DEFAULT or TSO, 3..5 zero -> 0
 * Everything else (other options, other arguments, any result other than
 * -EINVAL, e.g. from a kernel that implements the ABI itself) passes
 * unchanged.  The memory model is VM-wide: SET changes nothing and GET
 * always reports DEFAULT, which is what FEX needs to see before it asks
 * for TSO.  A CPU brought online later that lacks EnTSO stops the shim.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": tso quirk: " fmt

#include <linux/seq_file.h>

#include "quirks.h"

#ifdef CONFIG_ARM64

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/smp.h>
#include <asm/sysreg.h>

static bool quirk_tso_force;
module_param(quirk_tso_force, bool, 0444);
MODULE_PARM_DESC(quirk_tso_force, "emulate the TSO prctls even if ACTLR_EL1.EnTSO is clear (testing only: the guest then claims TSO it does not have; default off)");

/* Asahi's downstream uapi (include/uapi/linux/prctl.h of that series) */
#define PR_GET_MEM_MODEL		0x6d4d444c	/* "mMDL" */
#define PR_SET_MEM_MODEL		0x4d4d444c	/* "MMDL" */
#define PR_SET_MEM_MODEL_DEFAULT	0
#define PR_SET_MEM_MODEL_TSO		1

#define PP_ACTLR_ENTSO			BIT(1)

struct pp_tso_call {
	unsigned long opt, arg[4];	/* option, args 2..5 */
};

static struct {
	atomic64_t get, set_tso, set_default, passed;
} pp_tso_st;

static struct cpumask pp_tso_lacking;	/* online CPUs without EnTSO */
static u64 pp_tso_actlr;		/* ACTLR_EL1 of the last CPU read */
static unsigned int pp_tso_cpus;	/* CPUs checked */
static bool pp_tso_registered;
static bool pp_tso_active;		/* answering (cleared by hotplug) */
static int pp_tso_hp_state = -1;
static const char *pp_tso_state = "off";

static void pp_tso_read_cpu(void *unused)
{
	u64 actlr = read_sysreg_s(SYS_ACTLR_EL1);

	WRITE_ONCE(pp_tso_actlr, actlr);
	if (!(actlr & PP_ACTLR_ENTSO))
		cpumask_set_cpu(smp_processor_id(), &pp_tso_lacking);
}

static int pp_tso_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	/* __arm64_sys_prctl(const struct pt_regs *): the syscall's regs */
	const struct pt_regs *u = (const struct pt_regs *)regs->regs[0];
	struct pp_tso_call *c = (struct pp_tso_call *)ri->data;

	if (!u || (u->regs[0] != PR_GET_MEM_MODEL &&
		   u->regs[0] != PR_SET_MEM_MODEL))
		return 1;	/* not ours: no return probe */
	c->opt = u->regs[0];
	c->arg[0] = u->regs[1];
	c->arg[1] = u->regs[2];
	c->arg[2] = u->regs[3];
	c->arg[3] = u->regs[4];
	return 0;
}
NOKPROBE_SYMBOL(pp_tso_entry);

static int pp_tso_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pp_tso_call *c = (struct pp_tso_call *)ri->data;

	if (!READ_ONCE(pp_tso_active) ||
	    (long)regs_return_value(regs) != -EINVAL ||
	    c->arg[1] || c->arg[2] || c->arg[3]) {
		atomic64_inc(&pp_tso_st.passed);
		return 0;
	}
	if (c->opt == PR_GET_MEM_MODEL && !c->arg[0]) {
		regs_set_return_value(regs, PR_SET_MEM_MODEL_DEFAULT);
		atomic64_inc(&pp_tso_st.get);
	} else if (c->opt == PR_SET_MEM_MODEL &&
		   c->arg[0] == PR_SET_MEM_MODEL_TSO) {
		regs_set_return_value(regs, 0);
		atomic64_inc(&pp_tso_st.set_tso);
	} else if (c->opt == PR_SET_MEM_MODEL &&
		   c->arg[0] == PR_SET_MEM_MODEL_DEFAULT) {
		/* TSO is stronger than the default model: a valid answer */
		regs_set_return_value(regs, 0);
		atomic64_inc(&pp_tso_st.set_default);
	} else {
		atomic64_inc(&pp_tso_st.passed);
	}
	return 0;
}
NOKPROBE_SYMBOL(pp_tso_ret);

static struct kretprobe pp_tso_krp = {
	.kp.symbol_name = "__arm64_sys_prctl",
	.entry_handler = pp_tso_entry,
	.handler = pp_tso_ret,
	.data_size = sizeof(struct pp_tso_call),
};

/* A CPU coming online later: it must have EnTSO too. */
static int pp_tso_cpu_online(unsigned int cpu)
{
	pp_tso_read_cpu(NULL);
	if (cpumask_test_cpu(cpu, &pp_tso_lacking) && !quirk_tso_force &&
	    READ_ONCE(pp_tso_active)) {
		WRITE_ONCE(pp_tso_active, false);
		pp_tso_state = "stopped: a CPU without EnTSO came online";
		pr_warn("CPU %u came online without ACTLR_EL1.EnTSO: no longer claiming TSO to FEX\n",
			cpu);
	}
	return 0;
}

void pp_quirk_tso_init(void)
{
	unsigned int lacking;
	int ret;

	if (!pp_quirks) {
		pp_tso_state = "quirks=0";
		return;
	}
	cpus_read_lock();
	cpumask_clear(&pp_tso_lacking);
	on_each_cpu(pp_tso_read_cpu, NULL, 1);
	pp_tso_cpus = num_online_cpus();
	lacking = cpumask_weight(&pp_tso_lacking);
	cpus_read_unlock();

	if (lacking && !quirk_tso_force) {
		pr_info("ACTLR_EL1.EnTSO is clear on %u of %u CPUs (first: CPU %u): no TSO; PR_{GET,SET}_MEM_MODEL stay unsupported\n",
			lacking, pp_tso_cpus, cpumask_first(&pp_tso_lacking));
		pp_tso_state = "no EnTSO";
		return;
	}
	if (lacking)
		pr_warn("quirk_tso_force=1: EnTSO is clear on %u of %u CPUs but TSO is claimed anyway (testing only)\n",
			lacking, pp_tso_cpus);

	pp_tso_krp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
	ret = register_kretprobe(&pp_tso_krp);
	if (ret) {
		pr_warn("cannot probe __arm64_sys_prctl: %d; TSO prctls stay unsupported\n",
			ret);
		pp_tso_state = "probe failed";
		return;
	}
	pp_tso_registered = true;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"pcipass_dma/tso:online",
					pp_tso_cpu_online, NULL);
	if (ret < 0)
		pr_warn("cannot watch CPU hotplug (%d): CPUs onlined later are not checked\n",
			ret);
	else
		pp_tso_hp_state = ret;
	WRITE_ONCE(pp_tso_active, true);
	pp_tso_state = lacking ? "forced" : "active";
	pr_info("EnTSO %s on %u CPUs: emulating PR_GET_MEM_MODEL / PR_SET_MEM_MODEL for FEX\n",
		lacking ? "forced" : "set", pp_tso_cpus);
}

void pp_quirk_tso_exit(void)
{
	if (pp_tso_hp_state >= 0)
		cpuhp_remove_state_nocalls(pp_tso_hp_state);
	pp_tso_hp_state = -1;
	if (!pp_tso_registered)
		return;
	WRITE_ONCE(pp_tso_active, false);
	unregister_kretprobe(&pp_tso_krp);
	pp_tso_registered = false;
	pr_info("prctl shim removed (%lld GET, %lld SET answered)\n",
		atomic64_read(&pp_tso_st.get),
		atomic64_read(&pp_tso_st.set_tso) +
		atomic64_read(&pp_tso_st.set_default));
}

void pp_quirk_tso_show(struct seq_file *s)
{
	seq_printf(s, "tso_state=%s\n", pp_tso_state);
	seq_printf(s, "tso_active=%d\n", READ_ONCE(pp_tso_active));
	seq_printf(s, "tso_forced=%d\n", quirk_tso_force);
	seq_printf(s, "tso_cpus_checked=%u\n", pp_tso_cpus);
	seq_printf(s, "tso_cpus_without_entso=%u\n",
		   cpumask_weight(&pp_tso_lacking));
	seq_printf(s, "tso_actlr_el1=%#llx\n", READ_ONCE(pp_tso_actlr));
	seq_printf(s, "tso_get=%lld\n", atomic64_read(&pp_tso_st.get));
	seq_printf(s, "tso_set_tso=%lld\n", atomic64_read(&pp_tso_st.set_tso));
	seq_printf(s, "tso_set_default=%lld\n",
		   atomic64_read(&pp_tso_st.set_default));
	seq_printf(s, "tso_passed=%lld\n", atomic64_read(&pp_tso_st.passed));
	seq_printf(s, "tso_kretprobe_missed=%d\n",
		   pp_tso_registered ? pp_tso_krp.nmissed : 0);
}

#else /* !CONFIG_ARM64: EnTSO and this ABI exist on arm64 only */

void pp_quirk_tso_init(void)
{
}

void pp_quirk_tso_exit(void)
{
}

void pp_quirk_tso_show(struct seq_file *s)
{
	seq_puts(s, "tso_state=not arm64\n");
}

#endif
