/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin, see README.md): the arm64
 * subset of Hypervisor.framework that QEMU 10.2.2's HVF code and pcipass's
 * HVF patches use, with the SDK's names, types, values and availability
 * (hv_base.h, hv_vm.h, hv_vm_config.h, hv_vcpu.h, hv_vcpu_config.h,
 * hv_vcpu_types.h as documented at developer.apple.com/documentation/
 * hypervisor).  Declarations only: nothing here can run.  Not Apple's
 * header.
 *
 * Apple's headers are only active on arm64 (#ifdef __arm64__); so is this.
 * PP_DARWIN_SDK < 150000 plays an SDK older than macOS 15, which lacks
 * HV_SYS_REG_ACTLR_EL1 (the patches must then use their fallback 0xc081).
 *
 * System-register values are the HVF encoding
 *   (op0 << 14) | (op1 << 11) | (CRn << 7) | (CRm << 3) | op2;
 * QEMU's target/arm/hvf/sysreg.c.inc checks each one it uses against its
 * KVM encoding at compile time, so the QEMU glue check validates them.
 */
#ifndef PP_DARWIN_HYPERVISOR_H
#define PP_DARWIN_HYPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Availability.h>
#include <os/base.h>
#include <os/object.h>

#ifdef __arm64__

OS_ASSUME_NONNULL_BEGIN
__BEGIN_DECLS

/* ---- hv_base.h / hv_error.h ---------------------------------------------- */

typedef int hv_return_t;        /* mach_error_t */

/* err_common_hypervisor = err_system(0x3e) | err_sub(0xba5) = 0xfae94000 */
#define HV_SUCCESS             ((hv_return_t)0)
#define HV_ERROR               ((hv_return_t)0xfae94001)
#define HV_BUSY                ((hv_return_t)0xfae94002)
#define HV_BAD_ARGUMENT        ((hv_return_t)0xfae94003)
#define HV_ILLEGAL_GUEST_STATE ((hv_return_t)0xfae94004)
#define HV_NO_RESOURCES        ((hv_return_t)0xfae94005)
#define HV_NO_DEVICE           ((hv_return_t)0xfae94006)
#define HV_DENIED              ((hv_return_t)0xfae94007)
#define HV_EXISTS              ((hv_return_t)0xfae94008)
#define HV_UNSUPPORTED         ((hv_return_t)0xfae9400f)

/* ---- hv_vm_types.h -------------------------------------------------------- */

typedef uint64_t hv_ipa_t;

OS_ENUM(hv_memory_flags, uint64_t,
	HV_MEMORY_READ  = (1ull << 0),
	HV_MEMORY_WRITE = (1ull << 1),
	HV_MEMORY_EXEC  = (1ull << 2),
);

typedef struct hv_vm_config_s *hv_vm_config_t;

/* ---- hv_vcpu_types.h ------------------------------------------------------ */

typedef struct hv_vcpu_config_s *hv_vcpu_config_t;
typedef uint64_t hv_vcpu_t;

OS_ENUM(hv_exit_reason, uint32_t,
	HV_EXIT_REASON_CANCELED,
	HV_EXIT_REASON_EXCEPTION,
	HV_EXIT_REASON_VTIMER_ACTIVATED,
	HV_EXIT_REASON_UNKNOWN,
);

typedef uint64_t hv_exception_syndrome_t;   /* ESR_ELx */
typedef uint64_t hv_exception_address_t;    /* FAR_ELx */

typedef struct {
	hv_exception_syndrome_t syndrome;
	hv_exception_address_t virtual_address;
	hv_ipa_t physical_address;
} hv_vcpu_exit_exception_t;

typedef struct {
	hv_exit_reason_t reason;
	hv_vcpu_exit_exception_t exception;
} hv_vcpu_exit_t;

typedef __attribute__((ext_vector_type(16))) uint8_t hv_simd_fp_uchar16_t;

OS_ENUM(hv_reg, uint32_t,
	HV_REG_X0, HV_REG_X1, HV_REG_X2, HV_REG_X3, HV_REG_X4, HV_REG_X5,
	HV_REG_X6, HV_REG_X7, HV_REG_X8, HV_REG_X9, HV_REG_X10, HV_REG_X11,
	HV_REG_X12, HV_REG_X13, HV_REG_X14, HV_REG_X15, HV_REG_X16,
	HV_REG_X17, HV_REG_X18, HV_REG_X19, HV_REG_X20, HV_REG_X21,
	HV_REG_X22, HV_REG_X23, HV_REG_X24, HV_REG_X25, HV_REG_X26,
	HV_REG_X27, HV_REG_X28, HV_REG_X29, HV_REG_FP = HV_REG_X29,
	HV_REG_X30, HV_REG_LR = HV_REG_X30,
	HV_REG_PC,
	HV_REG_FPCR,
	HV_REG_FPSR,
	HV_REG_CPSR,
);

OS_ENUM(hv_simd_fp_reg, uint32_t,
	HV_SIMD_FP_REG_Q0, HV_SIMD_FP_REG_Q1, HV_SIMD_FP_REG_Q2,
	HV_SIMD_FP_REG_Q3, HV_SIMD_FP_REG_Q4, HV_SIMD_FP_REG_Q5,
	HV_SIMD_FP_REG_Q6, HV_SIMD_FP_REG_Q7, HV_SIMD_FP_REG_Q8,
	HV_SIMD_FP_REG_Q9, HV_SIMD_FP_REG_Q10, HV_SIMD_FP_REG_Q11,
	HV_SIMD_FP_REG_Q12, HV_SIMD_FP_REG_Q13, HV_SIMD_FP_REG_Q14,
	HV_SIMD_FP_REG_Q15, HV_SIMD_FP_REG_Q16, HV_SIMD_FP_REG_Q17,
	HV_SIMD_FP_REG_Q18, HV_SIMD_FP_REG_Q19, HV_SIMD_FP_REG_Q20,
	HV_SIMD_FP_REG_Q21, HV_SIMD_FP_REG_Q22, HV_SIMD_FP_REG_Q23,
	HV_SIMD_FP_REG_Q24, HV_SIMD_FP_REG_Q25, HV_SIMD_FP_REG_Q26,
	HV_SIMD_FP_REG_Q27, HV_SIMD_FP_REG_Q28, HV_SIMD_FP_REG_Q29,
	HV_SIMD_FP_REG_Q30, HV_SIMD_FP_REG_Q31,
);

/* hv_sys_reg_t: uint16_t-based enum (written out by hand: preprocessor
 * conditionals cannot sit inside an OS_ENUM argument list). */
#if __has_extension(cxx_fixed_enum) || __has_extension(cxx_strong_enums)
typedef enum : uint16_t {
#else
typedef uint16_t hv_sys_reg_t;
enum {
#endif
	HV_SYS_REG_DBGBVR0_EL1 = 0x8004,
	HV_SYS_REG_DBGBCR0_EL1 = 0x8005,
	HV_SYS_REG_DBGWVR0_EL1 = 0x8006,
	HV_SYS_REG_DBGWCR0_EL1 = 0x8007,
	HV_SYS_REG_DBGBVR1_EL1 = 0x800c,
	HV_SYS_REG_DBGBCR1_EL1 = 0x800d,
	HV_SYS_REG_DBGWVR1_EL1 = 0x800e,
	HV_SYS_REG_DBGWCR1_EL1 = 0x800f,
	HV_SYS_REG_MDCCINT_EL1 = 0x8010,
	HV_SYS_REG_MDSCR_EL1 = 0x8012,
	HV_SYS_REG_DBGBVR2_EL1 = 0x8014,
	HV_SYS_REG_DBGBCR2_EL1 = 0x8015,
	HV_SYS_REG_DBGWVR2_EL1 = 0x8016,
	HV_SYS_REG_DBGWCR2_EL1 = 0x8017,
	HV_SYS_REG_DBGBVR3_EL1 = 0x801c,
	HV_SYS_REG_DBGBCR3_EL1 = 0x801d,
	HV_SYS_REG_DBGWVR3_EL1 = 0x801e,
	HV_SYS_REG_DBGWCR3_EL1 = 0x801f,
	HV_SYS_REG_DBGBVR4_EL1 = 0x8024,
	HV_SYS_REG_DBGBCR4_EL1 = 0x8025,
	HV_SYS_REG_DBGWVR4_EL1 = 0x8026,
	HV_SYS_REG_DBGWCR4_EL1 = 0x8027,
	HV_SYS_REG_DBGBVR5_EL1 = 0x802c,
	HV_SYS_REG_DBGBCR5_EL1 = 0x802d,
	HV_SYS_REG_DBGWVR5_EL1 = 0x802e,
	HV_SYS_REG_DBGWCR5_EL1 = 0x802f,
	HV_SYS_REG_DBGBVR6_EL1 = 0x8034,
	HV_SYS_REG_DBGBCR6_EL1 = 0x8035,
	HV_SYS_REG_DBGWVR6_EL1 = 0x8036,
	HV_SYS_REG_DBGWCR6_EL1 = 0x8037,
	HV_SYS_REG_DBGBVR7_EL1 = 0x803c,
	HV_SYS_REG_DBGBCR7_EL1 = 0x803d,
	HV_SYS_REG_DBGWVR7_EL1 = 0x803e,
	HV_SYS_REG_DBGWCR7_EL1 = 0x803f,
	HV_SYS_REG_DBGBVR8_EL1 = 0x8044,
	HV_SYS_REG_DBGBCR8_EL1 = 0x8045,
	HV_SYS_REG_DBGWVR8_EL1 = 0x8046,
	HV_SYS_REG_DBGWCR8_EL1 = 0x8047,
	HV_SYS_REG_DBGBVR9_EL1 = 0x804c,
	HV_SYS_REG_DBGBCR9_EL1 = 0x804d,
	HV_SYS_REG_DBGWVR9_EL1 = 0x804e,
	HV_SYS_REG_DBGWCR9_EL1 = 0x804f,
	HV_SYS_REG_DBGBVR10_EL1 = 0x8054,
	HV_SYS_REG_DBGBCR10_EL1 = 0x8055,
	HV_SYS_REG_DBGWVR10_EL1 = 0x8056,
	HV_SYS_REG_DBGWCR10_EL1 = 0x8057,
	HV_SYS_REG_DBGBVR11_EL1 = 0x805c,
	HV_SYS_REG_DBGBCR11_EL1 = 0x805d,
	HV_SYS_REG_DBGWVR11_EL1 = 0x805e,
	HV_SYS_REG_DBGWCR11_EL1 = 0x805f,
	HV_SYS_REG_DBGBVR12_EL1 = 0x8064,
	HV_SYS_REG_DBGBCR12_EL1 = 0x8065,
	HV_SYS_REG_DBGWVR12_EL1 = 0x8066,
	HV_SYS_REG_DBGWCR12_EL1 = 0x8067,
	HV_SYS_REG_DBGBVR13_EL1 = 0x806c,
	HV_SYS_REG_DBGBCR13_EL1 = 0x806d,
	HV_SYS_REG_DBGWVR13_EL1 = 0x806e,
	HV_SYS_REG_DBGWCR13_EL1 = 0x806f,
	HV_SYS_REG_DBGBVR14_EL1 = 0x8074,
	HV_SYS_REG_DBGBCR14_EL1 = 0x8075,
	HV_SYS_REG_DBGWVR14_EL1 = 0x8076,
	HV_SYS_REG_DBGWCR14_EL1 = 0x8077,
	HV_SYS_REG_DBGBVR15_EL1 = 0x807c,
	HV_SYS_REG_DBGBCR15_EL1 = 0x807d,
	HV_SYS_REG_DBGWVR15_EL1 = 0x807e,
	HV_SYS_REG_DBGWCR15_EL1 = 0x807f,
	HV_SYS_REG_MIDR_EL1 = 0xc000,
	HV_SYS_REG_MPIDR_EL1 = 0xc005,
	HV_SYS_REG_ID_AA64PFR0_EL1 = 0xc020,
	HV_SYS_REG_ID_AA64PFR1_EL1 = 0xc021,
#if PP_DARWIN_SDK >= 150200
	HV_SYS_REG_ID_AA64ZFR0_EL1 API_AVAILABLE(macos(15.2)) = 0xc024,
#endif
#if PP_DARWIN_SDK >= 150200
	HV_SYS_REG_ID_AA64SMFR0_EL1 API_AVAILABLE(macos(15.2)) = 0xc025,
#endif
	HV_SYS_REG_ID_AA64DFR0_EL1 = 0xc028,
	HV_SYS_REG_ID_AA64DFR1_EL1 = 0xc029,
	HV_SYS_REG_ID_AA64ISAR0_EL1 = 0xc030,
	HV_SYS_REG_ID_AA64ISAR1_EL1 = 0xc031,
	HV_SYS_REG_ID_AA64MMFR0_EL1 = 0xc038,
	HV_SYS_REG_ID_AA64MMFR1_EL1 = 0xc039,
	HV_SYS_REG_ID_AA64MMFR2_EL1 = 0xc03a,
	HV_SYS_REG_SCTLR_EL1 = 0xc080,
#if PP_DARWIN_SDK >= 150000
	HV_SYS_REG_ACTLR_EL1 API_AVAILABLE(macos(15.0)) = 0xc081,
#endif
	HV_SYS_REG_CPACR_EL1 = 0xc082,
	HV_SYS_REG_TTBR0_EL1 = 0xc100,
	HV_SYS_REG_TTBR1_EL1 = 0xc101,
	HV_SYS_REG_TCR_EL1 = 0xc102,
	HV_SYS_REG_APIAKEYLO_EL1 = 0xc108,
	HV_SYS_REG_APIAKEYHI_EL1 = 0xc109,
	HV_SYS_REG_APIBKEYLO_EL1 = 0xc10a,
	HV_SYS_REG_APIBKEYHI_EL1 = 0xc10b,
	HV_SYS_REG_APDAKEYLO_EL1 = 0xc110,
	HV_SYS_REG_APDAKEYHI_EL1 = 0xc111,
	HV_SYS_REG_APDBKEYLO_EL1 = 0xc112,
	HV_SYS_REG_APDBKEYHI_EL1 = 0xc113,
	HV_SYS_REG_APGAKEYLO_EL1 = 0xc118,
	HV_SYS_REG_APGAKEYHI_EL1 = 0xc119,
	HV_SYS_REG_SPSR_EL1 = 0xc200,
	HV_SYS_REG_ELR_EL1 = 0xc201,
	HV_SYS_REG_SP_EL0 = 0xc208,
	HV_SYS_REG_AFSR0_EL1 = 0xc288,
	HV_SYS_REG_AFSR1_EL1 = 0xc289,
	HV_SYS_REG_ESR_EL1 = 0xc290,
	HV_SYS_REG_FAR_EL1 = 0xc300,
	HV_SYS_REG_PAR_EL1 = 0xc3a0,
	HV_SYS_REG_MAIR_EL1 = 0xc510,
	HV_SYS_REG_AMAIR_EL1 = 0xc518,
	HV_SYS_REG_VBAR_EL1 = 0xc600,
	HV_SYS_REG_CONTEXTIDR_EL1 = 0xc681,
	HV_SYS_REG_TPIDR_EL1 = 0xc684,
	HV_SYS_REG_CNTKCTL_EL1 = 0xc708,
	HV_SYS_REG_CSSELR_EL1 = 0xd000,
	HV_SYS_REG_TPIDR_EL0 = 0xde82,
	HV_SYS_REG_TPIDRRO_EL0 = 0xde83,
	HV_SYS_REG_CNTV_CTL_EL0 = 0xdf19,
	HV_SYS_REG_CNTV_CVAL_EL0 = 0xdf1a,
	HV_SYS_REG_SP_EL1 = 0xe208,
#if __has_extension(cxx_fixed_enum) || __has_extension(cxx_strong_enums)
} hv_sys_reg_t;
#else
};
#endif

OS_ENUM(hv_interrupt_type, uint32_t,
	HV_INTERRUPT_TYPE_IRQ,
	HV_INTERRUPT_TYPE_FIQ,
);

OS_ENUM(hv_cache_type, uint32_t,
	HV_CACHE_TYPE_DATA,
	HV_CACHE_TYPE_INSTRUCTION,
);

/* hv_vcpu_config.h: feature (ID) registers readable from a config */
OS_ENUM(hv_feature_reg, uint32_t,
	HV_FEATURE_REG_ID_AA64DFR0_EL1,
	HV_FEATURE_REG_ID_AA64DFR1_EL1,
	HV_FEATURE_REG_ID_AA64ISAR0_EL1,
	HV_FEATURE_REG_ID_AA64ISAR1_EL1,
	HV_FEATURE_REG_ID_AA64MMFR0_EL1,
	HV_FEATURE_REG_ID_AA64MMFR1_EL1,
	HV_FEATURE_REG_ID_AA64MMFR2_EL1,
	HV_FEATURE_REG_ID_AA64PFR0_EL1,
	HV_FEATURE_REG_ID_AA64PFR1_EL1,
	HV_FEATURE_REG_CTR_EL0,
	HV_FEATURE_REG_CLIDR_EL1,
	HV_FEATURE_REG_DCZID_EL0,
);

/* ---- hv_vm_config.h (macOS 13+) ------------------------------------------- */

API_AVAILABLE(macos(13.0))
OS_EXPORT hv_vm_config_t hv_vm_config_create(void);
API_AVAILABLE(macos(13.0))
OS_EXPORT hv_return_t hv_vm_config_get_max_ipa_size(uint32_t *ipa_bit_length);
API_AVAILABLE(macos(13.0))
OS_EXPORT hv_return_t hv_vm_config_get_default_ipa_size(uint32_t *ipa_bit_length);
API_AVAILABLE(macos(13.0))
OS_EXPORT hv_return_t hv_vm_config_set_ipa_size(hv_vm_config_t config,
						uint32_t ipa_bit_length);
API_AVAILABLE(macos(13.0))
OS_EXPORT hv_return_t hv_vm_config_get_ipa_size(hv_vm_config_t config,
						uint32_t *ipa_bit_length);

/* ---- hv_vm.h --------------------------------------------------------------- */

API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vm_create(hv_vm_config_t _Nullable config);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vm_destroy(void);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vm_map(void *addr, hv_ipa_t ipa, size_t size,
				hv_memory_flags_t flags);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vm_unmap(hv_ipa_t ipa, size_t size);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vm_protect(hv_ipa_t ipa, size_t size,
				    hv_memory_flags_t flags);

/* ---- hv_vcpu_config.h ------------------------------------------------------ */

API_AVAILABLE(macos(11.0))
OS_EXPORT hv_vcpu_config_t hv_vcpu_config_create(void);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_config_get_feature_reg(hv_vcpu_config_t config,
						     hv_feature_reg_t feature_reg,
						     uint64_t *value);

/* ---- hv_vcpu.h ----------------------------------------------------------- */

API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_create(hv_vcpu_t *vcpu,
				     hv_vcpu_exit_t * _Nullable * _Nonnull exit,
				     hv_vcpu_config_t _Nullable config);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_destroy(hv_vcpu_t vcpu);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_reg(hv_vcpu_t vcpu, hv_reg_t reg,
				      uint64_t *value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_reg(hv_vcpu_t vcpu, hv_reg_t reg,
				      uint64_t value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_simd_fp_reg(hv_vcpu_t vcpu,
					      hv_simd_fp_reg_t reg,
					      hv_simd_fp_uchar16_t *value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_simd_fp_reg(hv_vcpu_t vcpu,
					      hv_simd_fp_reg_t reg,
					      hv_simd_fp_uchar16_t value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg,
					  uint64_t *value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg,
					  uint64_t value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_pending_interrupt(hv_vcpu_t vcpu,
						    hv_interrupt_type_t type,
						    bool *pending);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_pending_interrupt(hv_vcpu_t vcpu,
						    hv_interrupt_type_t type,
						    bool pending);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_trap_debug_exceptions(hv_vcpu_t vcpu,
							bool *value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_trap_debug_exceptions(hv_vcpu_t vcpu,
							bool value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_trap_debug_reg_accesses(hv_vcpu_t vcpu,
							  bool *value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_trap_debug_reg_accesses(hv_vcpu_t vcpu,
							  bool value);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_run(hv_vcpu_t vcpu);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpus_exit(hv_vcpu_t *vcpus, uint32_t vcpu_count);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_exec_time(hv_vcpu_t vcpu, uint64_t *time);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_vtimer_mask(hv_vcpu_t vcpu,
					      bool *vtimer_is_masked);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_vtimer_mask(hv_vcpu_t vcpu,
					      bool vtimer_is_masked);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_get_vtimer_offset(hv_vcpu_t vcpu,
						uint64_t *vtimer_offset);
API_AVAILABLE(macos(11.0))
OS_EXPORT hv_return_t hv_vcpu_set_vtimer_offset(hv_vcpu_t vcpu,
						uint64_t vtimer_offset);

__END_DECLS
OS_ASSUME_NONNULL_END

#endif /* __arm64__ */

#endif
