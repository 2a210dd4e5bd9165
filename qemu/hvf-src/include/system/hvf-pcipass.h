/*
 * pcipass additions to QEMU's HVF accelerator: the host-side pieces that
 * only talk to macOS (Hypervisor.framework and libpthread), kept free of
 * QEMU internals so that they also compile stand-alone
 * (pcipass: tests/darwin-check; source of truth qemu/hvf-src/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HVF_PCIPASS_H
#define HVF_PCIPASS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __aarch64__
#include <Hypervisor/Hypervisor.h>
#endif

/*
 * vCPU thread scheduling, -accel hvf,vcpu-priority=...
 *
 * interactive  QoS class USER_INTERACTIVE (pthread_set_qos_class_self_np).
 *              The property's default: without any change the vCPU
 *              threads run at the default QoS, and benchmarks in a
 *              passthrough VM were seen to be randomly about 50% slower.
 *              The thread stays in the QoS system, which macOS uses
 *              (among other criteria) to place threads on performance or
 *              efficiency cores, and it keeps timesharing.
 * rr           SCHED_RR at sched_get_priority_max(SCHED_RR) (47 on
 *              current macOS: fixed priority, no decay, no privilege
 *              needed).  Setting a POSIX policy discards the thread's
 *              QoS class for good (libpthread: the thread is opted out of
 *              QoS), so this is an alternative to "interactive", never a
 *              combination.  Busy vCPUs at fixed priority can starve
 *              QEMU's own threads when there are as many vCPUs as cores.
 * default      leave the threads as QEMU creates them (QEMU 10.2.2
 *              behaviour).
 */
typedef enum PPHvfVcpuPriority {
    PP_HVF_VCPU_PRIORITY_DEFAULT = 0,
    PP_HVF_VCPU_PRIORITY_INTERACTIVE,
    PP_HVF_VCPU_PRIORITY_RR,
    PP_HVF_VCPU_PRIORITY__MAX,
} PPHvfVcpuPriority;

#define PP_HVF_VCPU_PRIORITY_PROPERTY_DEFAULT PP_HVF_VCPU_PRIORITY_INTERACTIVE

/* "default", "interactive", "rr" -> the value; -1 for anything else. */
int pp_hvf_vcpu_priority_parse(const char *name);
/* The value's name, or NULL when out of range. */
const char *pp_hvf_vcpu_priority_name(int prio);
/*
 * Applies prio to the calling thread (a vCPU thread, before it runs the
 * guest).  Returns 0, or an errno value with *what naming the call that
 * failed.
 */
int pp_hvf_vcpu_priority_apply(int prio, const char **what);

/*
 * Total store ordering, -accel hvf,tso=on: ACTLR_EL1.EnTSO (bit 1), which
 * Hypervisor.framework exposes as HV_SYS_REG_ACTLR_EL1 from macOS 15.0
 * (only that bit is accessible).  Off by default.
 */
#define PP_HVF_ACTLR_EL1_ENTSO (1ULL << 1)

/* Whether this host can set EnTSO (Apple silicon, macOS 15.0 or later). */
bool pp_hvf_tso_available(void);

#ifdef __aarch64__
/*
 * Sets EnTSO on vcpu and reads ACTLR_EL1 back into *actlr (may be NULL).
 * Must run on the vCPU's own thread, as every hv_vcpu_* call.  Returns
 * HV_SUCCESS, HV_UNSUPPORTED before macOS 15.0, or the failing call's
 * error.  The caller checks the bit in *actlr.
 */
hv_return_t pp_hvf_vcpu_enable_tso(hv_vcpu_t vcpu, uint64_t *actlr);
#endif

#endif
