// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pp-regs: drives the pcipass-dma device from guest userspace, without the
 * guest module (tests/guest/dma-device).
 *
 *  1. Finds the device (0x7070:0x0001) in sysfs, enables it, mmaps BAR0
 *     through resource0.
 *  2. Registers: identity, limits, the managed-BDF table against the BDF of
 *     the function behind the DART port (argument: its vendor:device, e.g.
 *     1b36:0010 for QEMU's nvme), and the access rules of
 *     docs/protocol.md section 3 (wrong widths, RO stores, bad keys,
 *     doorbell before DRIVER_OK, feature negotiation).
 *  3. Commands: a page of this process, locked, whose guest-physical
 *     address comes from /proc/self/pagemap, holds real commands: MAP,
 *     QUERY, UNMAP, refusals at every level, RESET.  The doorbell is one
 *     8-byte store; the results are read right after it.
 *
 * Prints one line per check; exits 0 when all passed.
 *
 * Usage: pp-regs VENDOR:DEVICE-of-the-managed-function
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The protocol constants, from core/include/pcipass/proto.h. */
#include "pcipass/proto.h"
#include "pp-guest.h"           /* tests/guest/lib: CHECK, MMIO, sysfs */

static volatile uint8_t *bar;

/* ---- commands in a locked page ------------------------------------------- */

static struct pp_cmd_header *hdr;
static struct pp_cmd_entry *ent;
static uint64_t cmd_gpa;

static void cmd_begin(uint32_t count)
{
	memset(hdr, 0, 32 + 32 * (size_t)count);
	hdr->version = pp_le16(PP_PROTO_MAJOR);
	hdr->count = pp_le32(count);
	hdr->status = pp_le32(0xdeadbeef);
	hdr->completed = pp_le32(0xdeadbeef);
	hdr->cookie = pp_le64(0x1122334455667788ull);
	for (uint32_t i = 0; i < count; i++)
		ent[i].status = pp_le32(0xdeadbeef);
}

static void ent_map(unsigned int i, uint64_t addr, uint32_t len, uint8_t fl)
{
	ent[i].op = PP_OP_MAP;
	ent[i].flags = fl;
	ent[i].addr = pp_le64(addr);
	ent[i].len = pp_le32(len);
}

static void ent_unmap(unsigned int i, uint32_t handle)
{
	ent[i].op = PP_OP_UNMAP;
	ent[i].handle = pp_le32(handle);
}

static void ent_query(unsigned int i, uint8_t what, uint32_t handle)
{
	ent[i].op = PP_OP_QUERY;
	ent[i].flags = what;
	ent[i].handle = pp_le32(handle);
}

static void doorbell(void)
{
	mb();
	wr64(bar, PP_REG_DOORBELL, cmd_gpa);
}

static uint32_t est(unsigned int i)
{
	return pp_le32(((volatile struct pp_cmd_entry *)ent)[i].status);
}

static uint32_t hstatus(void)
{
	return pp_le32(((volatile struct pp_cmd_header *)hdr)->status);
}

static uint32_t hcompleted(void)
{
	return pp_le32(((volatile struct pp_cmd_header *)hdr)->completed);
}

/* ---- the checks ----------------------------------------------------------- */

static void check_identity(uint32_t managed_want)
{
	uint32_t n;

	CHECK_EQ(rd32(bar, PP_REG_MAGIC), PP_PROTO_MAGIC, "MAGIC");
	CHECK_EQ(rd32(bar, PP_REG_VERSION), PP_PROTO_VERSION, "VERSION");
	CHECK_EQ(rd32(bar, PP_REG_DEV_FEATURES), PP_FEAT_ALL, "DEV_FEATURES");
	CHECK_EQ(rd32(bar, PP_REG_MAX_BATCH), PP_MAX_BATCH_LIMIT, "MAX_BATCH");
	CHECK_EQ(rd32(bar, PP_REG_PAGE_SHIFT), 14, "PAGE_SHIFT");
	CHECK_EQ(rd32(bar, PP_REG_DART_ENTRIES), 65536, "DART_ENTRIES");
	CHECK_EQ(rd64(bar, PP_REG_DART_CAP), 1536ull << 20,
		 "DART_CAP (8-byte read)");
	CHECK_EQ(rd32(bar, PP_REG_DART_CAP), (uint32_t)(1536ull << 20),
		 "DART_CAP low half");
	CHECK_EQ(rd32(bar, PP_REG_DART_CAP + 4), 0, "DART_CAP high half");
	CHECK_EQ(rd32(bar, PP_REG_MAX_MAP_LEN), 1u << 30, "MAX_MAP_LEN");
	CHECK_EQ(rd32(bar, PP_REG_STATUS), 0, "STATUS after boot");
	CHECK_EQ(rd32(bar, PP_REG_DOORBELL), 0, "DOORBELL reads 0");
	CHECK_EQ(rd32(bar, PP_REG_RESET), 0, "RESET reads 0");
	CHECK_EQ(rd32(bar, 0x80), 0, "reserved offset reads 0");
	n = rd32(bar, PP_REG_NR_MANAGED);
	CHECK_EQ(n, 1, "NR_MANAGED");
	CHECK_EQ(rd32(bar, PP_REG_MANAGED(0)), managed_want,
		 "MANAGED[0] is the function behind the DART port");
	CHECK_EQ(rd32(bar, PP_REG_MANAGED(1)), 0, "MANAGED[1] reads 0");
	CHECK_EQ(rd32(bar, PP_REG_MANAGED(63)), 0, "MANAGED[63] reads 0");
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), 0,
		 "LAST_ERROR after good reads");
}

static void check_access_rules(void)
{
	volatile uint16_t *p16 = (volatile uint16_t *)(bar + PP_REG_MAGIC);
	volatile uint8_t *p8 = bar + PP_REG_MAGIC;

	CHECK_EQ(*p16, 0, "2-byte read returns 0");
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_ALIGN,
		 "  LAST_ERROR = ALIGN");
	wr32(bar, PP_REG_RESET, PP_RESET_KEY);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), 0, "RESET clears LAST_ERROR");
	CHECK_EQ(*p8, 0, "1-byte read returns 0");
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_ALIGN,
		 "  LAST_ERROR = ALIGN");
	wr32(bar, PP_REG_RESET, PP_RESET_KEY);

	wr32(bar, PP_REG_MAGIC, 1);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_INVAL,
		 "store to RO MAGIC: LAST_ERROR = INVAL");
	CHECK_EQ(rd32(bar, PP_REG_MAGIC), PP_PROTO_MAGIC, "  MAGIC unchanged");
	wr32(bar, PP_REG_RESET, 0x12345678);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_INVAL,
		 "RESET with a wrong key: INVAL");
	wr64(bar, PP_REG_RESET, PP_RESET_KEY);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_ALIGN,
		 "8-byte store to RESET: ALIGN");
	wr32(bar, PP_REG_RESET, PP_RESET_KEY);

	wr64(bar, PP_REG_DOORBELL, cmd_gpa);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_NOTREADY,
		 "doorbell before DRIVER_OK: NOTREADY");
	wr32(bar, PP_REG_DOORBELL, (uint32_t)cmd_gpa);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_ALIGN,
		 "4-byte doorbell store: ALIGN");

	wr32(bar, PP_REG_DRV_FEATURES, 0xffffffff);
	CHECK_EQ(rd32(bar, PP_REG_DRV_FEATURES), PP_FEAT_ALL,
		 "DRV_FEATURES keeps only offered bits");
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_RESERVED,
		 "  LAST_ERROR = RESERVED");
	wr32(bar, PP_REG_STATUS, 0x4);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_RESERVED,
		 "STATUS write with bit 2: RESERVED");
	CHECK_EQ(rd32(bar, PP_REG_STATUS), 0, "  STATUS unchanged");

	wr32(bar, PP_REG_RESET, PP_RESET_KEY);
	CHECK_EQ(rd32(bar, PP_REG_DRV_FEATURES), 0,
		 "RESET clears DRV_FEATURES");
	wr32(bar, PP_REG_DRV_FEATURES, PP_FEAT_ALL);
	wr32(bar, PP_REG_STATUS, PP_STATUS_DRIVER_OK);
	CHECK_EQ(rd32(bar, PP_REG_STATUS), PP_STATUS_DRIVER_OK,
		 "DRIVER_OK set");
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), 0, "  no error");
	wr32(bar, PP_REG_DRV_FEATURES, PP_FEAT_BATCH);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_INVAL,
		 "DRV_FEATURES after DRIVER_OK: INVAL");
	CHECK_EQ(rd32(bar, PP_REG_DRV_FEATURES), PP_FEAT_ALL,
		 "  features kept");
	wr32(bar, PP_REG_STATUS, 0);
	CHECK_EQ(rd32(bar, PP_REG_STATUS), PP_STATUS_DRIVER_OK,
		 "DRIVER_OK is set-only");

	wr64(bar, PP_REG_DOORBELL, cmd_gpa + 32);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_ALIGN,
		 "doorbell GPA not 64-byte aligned: ALIGN");
	wr64(bar, PP_REG_DOORBELL, 0x1000);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_RANGE,
		 "doorbell GPA outside RAM: RANGE");
	wr64(bar, PP_REG_DOORBELL, 0x08000000);
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_RANGE,
		 "doorbell GPA in MMIO (GIC): RANGE");
}

static void check_commands(uint64_t data_gpa)
{
	uint32_t h, h2;
	uint64_t bus;

	/* MAP + QUERY_USAGE in one command. */
	cmd_begin(2);
	ent_map(0, data_gpa + 0x123, 0x800, PP_MAP_RW);
	ent_query(1, PP_QUERY_USAGE, 0);
	doorbell();
	CHECK_EQ(hstatus(), PP_OK, "MAP+QUERY: header status");
	CHECK_EQ(hcompleted(), 2, "  completed");
	CHECK_EQ(pp_le64(hdr->cookie), 0x1122334455667788ull, "  cookie kept");
	CHECK_EQ(est(0), PP_OK, "  MAP status");
	h = pp_le32(ent[0].handle);
	bus = pp_le64(ent[0].bus);
	CHECK(h != 0, "  MAP handle 0x%x nonzero", h);
	CHECK(bus != 0 && (bus & 0x3fff) == ((data_gpa + 0x123) & 0x3fff),
	      "  MAP bus 0x%" PRIx64 " keeps the 16 KiB page offset", bus);
	CHECK_EQ(pp_le64(ent[0].addr), data_gpa + 0x123, "  MAP addr (in) kept");
	CHECK_EQ(est(1), PP_OK, "  QUERY_USAGE status");
	CHECK_EQ(pp_le64(ent[1].addr), 16384, "  DART bytes live");
	CHECK_EQ(pp_le32(ent[1].len), 1, "  DART entries live");
	CHECK_EQ(pp_le64(ent[1].bus), 1536ull << 20, "  DART byte cap");
	CHECK_EQ(pp_le32(ent[1].handle), 65536, "  DART entry cap");
	CHECK_EQ(rd32(bar, PP_REG_LAST_ERROR), PP_ERR_RANGE,
		 "  LAST_ERROR unchanged by a command (RANGE from before)");

	/* QUERY_MAPPING, UNMAP, UNMAP again, USAGE. */
	cmd_begin(5);
	ent_query(0, PP_QUERY_MAPPING, h);
	ent_unmap(1, h);
	ent_unmap(2, h);
	ent_query(3, PP_QUERY_MAPPING, h);
	ent_query(4, PP_QUERY_USAGE, 0);
	doorbell();
	CHECK_EQ(hstatus(), PP_OK, "QUERY/UNMAP: header status");
	CHECK_EQ(est(0), PP_OK, "  QUERY_MAPPING");
	CHECK_EQ(pp_le64(ent[0].addr), data_gpa + 0x123, "  ... addr");
	CHECK_EQ(pp_le32(ent[0].len), 0x800, "  ... len");
	CHECK_EQ(pp_le64(ent[0].bus), bus, "  ... bus");
	CHECK_EQ(est(1), PP_OK, "  UNMAP");
	CHECK_EQ(est(2), PP_ERR_NOENT, "  UNMAP again: NOENT");
	CHECK_EQ(est(3), PP_ERR_NOENT, "  QUERY_MAPPING after UNMAP: NOENT");
	CHECK_EQ(pp_le32(ent[4].len), 0, "  DART entries live after UNMAP");

	/* Entry-level refusals; the good entry between them still runs. */
	cmd_begin(5);
	ent_map(0, 0x1000, 4096, PP_MAP_RW);          /* not RAM */
	ent_map(1, data_gpa, 0, PP_MAP_RW);           /* len 0 */
	ent[2].op = 9;                                /* unknown op */
	ent_map(3, data_gpa, 4096, PP_MAP_READ);
	ent_unmap(4, 0x7fffffff);                     /* never issued */
	doorbell();
	CHECK_EQ(hstatus(), PP_OK, "refusals: header status");
	CHECK_EQ(hcompleted(), 5, "  completed");
	CHECK_EQ(est(0), PP_ERR_RANGE, "  MAP outside RAM: RANGE");
	CHECK_EQ(est(1), PP_ERR_INVAL, "  MAP len 0: INVAL");
	CHECK_EQ(est(2), PP_ERR_BADOP, "  op 9: BADOP");
	CHECK_EQ(est(3), PP_OK, "  valid MAP in between: OK");
	CHECK_EQ(est(4), PP_ERR_NOENT, "  UNMAP never issued: NOENT");
	h2 = pp_le32(ent[3].handle);

	/* Header-level refusals: nothing runs. */
	cmd_begin(1);
	hdr->version = pp_le16(2);
	ent_map(0, data_gpa, 4096, PP_MAP_RW);
	doorbell();
	CHECK_EQ(hstatus(), PP_ERR_VERSION, "version 2: header VERSION");
	CHECK_EQ(hcompleted(), 0, "  completed 0");
	CHECK_EQ(est(0), 0xdeadbeef, "  entry untouched");
	cmd_begin(1);
	hdr->count = pp_le32(4097);
	doorbell();
	CHECK_EQ(hstatus(), PP_ERR_COUNT, "count 4097: header COUNT");
	/* (No over-long command here: it would run whatever kernel data
	 * follows this page as entries.) */

	/* RESET drops the mapping left by the refusal test. */
	cmd_begin(1);
	ent_query(0, PP_QUERY_USAGE, 0);
	doorbell();
	CHECK(pp_le32(ent[0].len) >= 1, "mappings live before RESET: %u",
	      pp_le32(ent[0].len));
	wr32(bar, PP_REG_RESET, PP_RESET_KEY);
	CHECK_EQ(rd32(bar, PP_REG_STATUS), 0, "RESET clears DRIVER_OK");
	wr32(bar, PP_REG_DRV_FEATURES, PP_FEAT_ALL);
	wr32(bar, PP_REG_STATUS, PP_STATUS_DRIVER_OK);
	cmd_begin(2);
	ent_query(0, PP_QUERY_USAGE, 0);
	ent_unmap(1, h2);
	doorbell();
	CHECK_EQ(pp_le32(ent[0].len), 0, "DART empty after RESET");
	CHECK_EQ(est(1), PP_ERR_NOENT, "handle from before RESET: NOENT");

	/* Without BATCH, count 2 is refused. */
	wr32(bar, PP_REG_RESET, PP_RESET_KEY);
	wr32(bar, PP_REG_DRV_FEATURES, PP_FEAT_QUERY);
	wr32(bar, PP_REG_STATUS, PP_STATUS_DRIVER_OK);
	cmd_begin(2);
	ent_query(0, PP_QUERY_USAGE, 0);
	ent_query(1, PP_QUERY_USAGE, 0);
	doorbell();
	CHECK_EQ(hstatus(), PP_ERR_COUNT, "count 2 without BATCH: COUNT");
	wr32(bar, PP_REG_RESET, PP_RESET_KEY);
}

int main(int argc, char **argv)
{
	unsigned int ven, devid;
	char name[256], mname[256], path[512];
	uint64_t data_gpa;
	uint8_t *page;
	int fd;

	if (argc != 2 || sscanf(argv[1], "%x:%x", &ven, &devid) != 2) {
		fprintf(stderr, "usage: pp-regs VENDOR:DEVICE\n");
		return 2;
	}
	if (pci_find(PP_DMA_PCI_VENDOR_ID, PP_DMA_PCI_DEVICE_ID, name,
		     sizeof(name))) {
		printf("FAIL no 7070:0001 function in /sys/bus/pci/devices\n");
		return 1;
	}
	if (pci_find(ven, devid, mname, sizeof(mname))) {
		printf("FAIL no %04x:%04x function\n", ven, devid);
		return 1;
	}
	printf("pcipass-dma at %s, managed function %s\n", name, mname);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", name);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		printf("FAIL cannot enable %s: %s\n", name, strerror(errno));
		return 1;
	}
	close(fd);
	bar = map_bar(name, 0, PP_BAR0_SIZE);

	/* Command page and data page: locked, physical addresses known. */
	page = aligned_alloc(65536, 65536);
	if (!page || mlock(page, 65536)) {
		printf("FAIL cannot lock memory\n");
		return 1;
	}
	memset(page, 0, 65536);
	hdr = (struct pp_cmd_header *)page;
	ent = (struct pp_cmd_entry *)(page + 32);
	cmd_gpa = virt_to_phys(page);
	data_gpa = virt_to_phys(page + 32768);
	if (!cmd_gpa || !data_gpa) {
		printf("FAIL /proc/self/pagemap gave no physical address\n");
		return 1;
	}
	printf("command at GPA 0x%" PRIx64 ", data at GPA 0x%" PRIx64 "\n",
	       cmd_gpa, data_gpa);

	check_identity(pci_bdf(mname));
	check_access_rules();
	check_commands(data_gpa);

	printf("pp-regs: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
