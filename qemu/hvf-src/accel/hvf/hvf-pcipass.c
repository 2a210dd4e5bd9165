/*
 * pcipass additions to QEMU's HVF accelerator: vCPU thread scheduling and
 * TSO (contract: include/system/hvf-pcipass.h).  macOS only; no QEMU
 * internals, so tests/darwin-check of the pcipass repository compiles
 * this very file against declaration headers written from Apple's
 * documentation (PP_HVF_STANDALONE), and QEMU compiles it for HVF builds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifdef PP_HVF_STANDALONE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#else
#include "qemu/osdep.h"
#endif

#include <Availability.h>
#include <pthread/qos.h>

#include "system/hvf-pcipass.h"

static const char *const vcpu_priority_names[PP_HVF_VCPU_PRIORITY__MAX] = {
    [PP_HVF_VCPU_PRIORITY_DEFAULT] = "default",
    [PP_HVF_VCPU_PRIORITY_INTERACTIVE] = "interactive",
    [PP_HVF_VCPU_PRIORITY_RR] = "rr",
};

int pp_hvf_vcpu_priority_parse(const char *name)
{
    int i;

    for (i = 0; name && i < PP_HVF_VCPU_PRIORITY__MAX; i++) {
        if (!strcmp(name, vcpu_priority_names[i])) {
            return i;
        }
    }
    return -1;
}

const char *pp_hvf_vcpu_priority_name(int prio)
{
    if (prio < 0 || prio >= PP_HVF_VCPU_PRIORITY__MAX) {
        return NULL;
    }
    return vcpu_priority_names[prio];
}

int pp_hvf_vcpu_priority_apply(int prio, const char **what)
{
    struct sched_param param;
    int max;

    *what = NULL;
    switch (prio) {
    case PP_HVF_VCPU_PRIORITY_DEFAULT:
        return 0;
    case PP_HVF_VCPU_PRIORITY_INTERACTIVE:
        *what = "pthread_set_qos_class_self_np(QOS_CLASS_USER_INTERACTIVE, 0)";
        return pthread_set_qos_class_self_np(QOS_CLASS_USER_INTERACTIVE, 0);
    case PP_HVF_VCPU_PRIORITY_RR:
        /* Replaces any QoS class of this thread, permanently (qos.h). */
        *what = "sched_get_priority_max(SCHED_RR)";
        max = sched_get_priority_max(SCHED_RR);
        if (max < 0) {
            return errno;
        }
        memset(&param, 0, sizeof(param));
        param.sched_priority = max;
        *what = "pthread_setschedparam(SCHED_RR)";
        return pthread_setschedparam(pthread_self(), SCHED_RR, &param);
    default:
        *what = "vcpu-priority";
        return EINVAL;
    }
}

#ifdef __aarch64__
/*
 * SDKs older than macOS 15 lack the HV_SYS_REG_ACTLR_EL1 enumerator; its
 * value is the HVF encoding of ACTLR_EL1 (op0 3, op1 0, CRn 1, CRm 0,
 * op2 1).  Either way the register is only touched behind a macOS 15.0
 * runtime check.
 */
#if defined(__MAC_OS_X_VERSION_MAX_ALLOWED) && \
    __MAC_OS_X_VERSION_MAX_ALLOWED >= 150000
#define PP_HV_SYS_REG_ACTLR_EL1 HV_SYS_REG_ACTLR_EL1
#else
#define PP_HV_SYS_REG_ACTLR_EL1 ((hv_sys_reg_t)0xc081)
#endif
#endif

bool pp_hvf_tso_available(void)
{
#ifdef __aarch64__
    if (__builtin_available(macOS 15.0, *)) {
        return true;
    }
#endif
    return false;
}

#ifdef __aarch64__
hv_return_t pp_hvf_vcpu_enable_tso(hv_vcpu_t vcpu, uint64_t *actlr)
{
    uint64_t value = 0;
    hv_return_t ret;

    if (__builtin_available(macOS 15.0, *)) {
        /*
         * Only EnTSO is accessible through this register, so write just
         * that bit rather than a read-modify-write of bits we cannot see.
         */
        ret = hv_vcpu_set_sys_reg(vcpu, PP_HV_SYS_REG_ACTLR_EL1,
                                  PP_HVF_ACTLR_EL1_ENTSO);
        if (ret != HV_SUCCESS) {
            return ret;
        }
        ret = hv_vcpu_get_sys_reg(vcpu, PP_HV_SYS_REG_ACTLR_EL1, &value);
        if (ret != HV_SUCCESS) {
            return ret;
        }
        if (actlr) {
            *actlr = value;
        }
        return HV_SUCCESS;
    }
    return HV_UNSUPPORTED;
}
#endif
