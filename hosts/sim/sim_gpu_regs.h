/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Register map of the sim backend's loopback GPU (function 0) and audio
 * function (function 1).  Plain macros, no dependencies: QEMU tests and
 * guest drivers may include or copy this file.  Semantics: docs/sim-gpu.md.
 * All registers little-endian.  "RO64" registers may be read as one 8-byte
 * access or two 4-byte accesses (low word first).
 */
#ifndef PCIPASS_SIM_GPU_REGS_H
#define PCIPASS_SIM_GPU_REGS_H

/* ---- identity ------------------------------------------------------------ */
#define SIMGPU_VENDOR_ID        0x7070 /* unassigned in pci.ids */
#define SIMGPU_DEVICE_ID        0x1000 /* GPU; the audio function is +1 */
#define SIMGPU_CLASS_GPU        0x030200 /* 3D controller */
#define SIMGPU_CLASS_AUDIO      0x040300 /* HD audio */

/* ---- BAR layout of function 0 --------------------------------------------- */
#define SIMGPU_BAR_REGS         0      /* 32-bit MMIO, trap-only */
#define SIMGPU_BAR_VRAM         1      /* 64-bit prefetchable (BARs 1+2) */
#define SIMGPU_BAR0_SIZE        0x10000
#define SIMGPU_MSIX_TABLE_OFF   0x8000 /* in BAR0: 16 bytes per vector */
#define SIMGPU_MSIX_PBA_OFF     0x9000 /* in BAR0 */

/* ---- BAR0 registers --------------------------------------------------------- */
#define SIMGPU_REG_ID           0x000 /* RO32 */
#define   SIMGPU_ID_ARCH(v)     (((v) >> 24) & 0xff)
#define   SIMGPU_ID_IMPL(v)     (((v) >> 16) & 0xff)
#define   SIMGPU_ID_REV(v)      ((v) & 0xffff)
#define   SIMGPU_ARCH           0x50   /* 'P': pcipass simulated devices */
#define   SIMGPU_IMPL_LOOPBACK  0x01
#define   SIMGPU_IMPL_AUDIO     0x02
#define SIMGPU_REG_SCRATCH      0x004 /* RW32, 0 after reset */
#define SIMGPU_REG_VRAM_SIZE    0x008 /* RO64, bytes (= BAR1 size) */
#define SIMGPU_REG_CAPS         0x010 /* RO32: bit (1 << op) per op */
#define SIMGPU_REG_NR_VECTORS   0x014 /* RO32: MSI-X table size */
#define SIMGPU_REG_ENGINE_CTRL  0x020 /* WO32 */
#define   SIMGPU_CTRL_RESET     (1u << 0) /* abort, clear error, head=tail=0 */
#define SIMGPU_REG_ENGINE_STATUS 0x024 /* RO32 */
#define   SIMGPU_STATUS_STATE(v) ((v) & 0x3)
#define   SIMGPU_STATE_IDLE     0
#define   SIMGPU_STATE_BUSY     1
#define   SIMGPU_STATE_ERROR    2
#define   SIMGPU_STATUS_ERROR(v) (((v) >> 8) & 0xff)
#define SIMGPU_REG_FAULT_ADDR   0x028 /* RO64: see SIMGPU_ERR_* */
#define SIMGPU_REG_ERROR_COUNT  0x030 /* RO32: engine errors since reset */
#define SIMGPU_REG_COMPLETED    0x034 /* RO32: descriptors completed */
#define SIMGPU_REG_RING_BASE    0x040 /* RW64: bus address, 64-byte aligned */
#define SIMGPU_REG_RING_SIZE    0x048 /* RW32: entries, power of 2, 2..65536 */
#define SIMGPU_REG_RING_HEAD    0x04c /* RO32: next descriptor to run */
#define SIMGPU_REG_RING_TAIL    0x050 /* RW32: doorbell */
#define SIMGPU_REG_IRQ_ENABLE   0x060 /* RW32: SIMGPU_IRQ_* */
#define SIMGPU_REG_IRQ_STATUS   0x064 /* RW1C: SIMGPU_IRQ_* */
#define   SIMGPU_IRQ_COMPLETION (1u << 0)
#define   SIMGPU_IRQ_ERROR      (1u << 1)
#define SIMGPU_REG_IRQ_VEC_COMPLETION 0x068 /* RW32: MSI-X entry, reset 0 */
#define SIMGPU_REG_IRQ_VEC_ERROR 0x06c /* RW32: MSI-X entry, reset 1 */
#define SIMGPU_REG_IRQ_TRIGGER  0x070 /* WO32: sends MSI-X entry <value> */

/* Engine error codes (ENGINE_STATUS[15:8]) and what FAULT_ADDR holds. */
#define SIMGPU_ERR_NONE         0
#define SIMGPU_ERR_DMA_READ     1 /* DART refused a read: the bus address */
#define SIMGPU_ERR_DMA_WRITE    2 /* DART refused a write: the bus address */
#define SIMGPU_ERR_BAD_DESC     3 /* bad op/flags/reserved: descriptor's bus */
#define SIMGPU_ERR_VRAM_RANGE   4 /* VRAM offset+len out of BAR: descriptor */
#define SIMGPU_ERR_BUS_MASTER   5 /* COMMAND.BME clear: the bus address */
#define SIMGPU_ERR_BAD_RING     6 /* ring base/size/tail invalid: ring base */

/* ---- descriptors (64 bytes, little-endian, in system memory) ------------- */
#define SIMGPU_DESC_SIZE        64
#define SIMGPU_DESC_OP          0x00 /* u32 SIMGPU_OP_* */
#define SIMGPU_DESC_FLAGS       0x04 /* u32 SIMGPU_DESC_F_* */
#define SIMGPU_DESC_LEN         0x08 /* u64 bytes (0: completion only) */
#define SIMGPU_DESC_SRC         0x10 /* u64 bus / VRAM offset / fill pattern */
#define SIMGPU_DESC_DST         0x18 /* u64 bus / VRAM offset */
#define SIMGPU_DESC_COMPL_ADDR  0x20 /* u64 bus, 8-aligned; 0 = none */
#define SIMGPU_DESC_COMPL_VALUE 0x28 /* u64 written there when done */
#define SIMGPU_DESC_RESERVED    0x30 /* 16 bytes, must be zero */
#define   SIMGPU_DESC_F_IRQ     (1u << 0) /* completion cause when done */

#define SIMGPU_OP_COPY_S2V      1 /* system (bus) -> VRAM offset */
#define SIMGPU_OP_COPY_V2S      2 /* VRAM offset -> system (bus) */
#define SIMGPU_OP_COPY_S2S      3 /* system -> system */
#define SIMGPU_OP_FILL_SYS      4 /* dst bus <- 32-bit pattern (src) */
#define SIMGPU_OP_FILL_VRAM     5 /* dst VRAM <- 32-bit pattern (src) */
#define SIMGPU_CAPS_ALL         0x3eu

/* ---- function 1 (audio): BAR0 16 KiB, trap-only, MSI with 1 vector --- */
#define SIMAUD_BAR0_SIZE        0x4000
#define SIMAUD_REG_ID           0x000 /* RO32, impl SIMGPU_IMPL_AUDIO */
#define SIMAUD_REG_SCRATCH      0x004 /* RW32 */
#define SIMAUD_REG_IRQ_TRIGGER  0x008 /* WO32: sends its MSI */

#endif
