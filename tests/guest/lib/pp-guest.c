// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/guest/lib/pp-guest.c: the helpers of pp-guest.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pp-guest.h"

int failures, checks;

int read_hex(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%" SCNx64, v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

int pci_find(unsigned int ven, unsigned int dev, char *name, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char p[512];
		uint64_t v, id;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		if (read_hex(p, &v))
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		if (read_hex(p, &id))
			continue;
		if (v == ven && id == dev) {
			snprintf(name, len, "%s", e->d_name);
			found = 0;
			break;
		}
	}
	closedir(d);
	return found;
}

uint32_t pci_bdf(const char *name)
{
	unsigned int seg, busn, slot, fn;

	if (sscanf(name, "%x:%x:%x.%x", &seg, &busn, &slot, &fn) != 4)
		return ~0u;
	return seg << 16 | busn << 8 | slot << 3 | fn;
}

volatile uint8_t *map_bar(const char *name, unsigned int i, size_t len)
{
	char p[512];
	void *m;
	int fd;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/resource%u", name, i);
	fd = open(p, O_RDWR | O_SYNC);
	if (fd < 0)
		DIE("open %s: %s", p, strerror(errno));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		DIE("mmap %s: %s", p, strerror(errno));
	return m;
}

uint64_t virt_to_phys(const void *p)
{
	uint64_t ent = 0, va = (uint64_t)(uintptr_t)p;
	long ps = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, 8, (off_t)(va / ps) * 8) != 8)
		ent = 0;
	close(fd);
	if (!(ent & (1ull << 63)))
		return 0;
	return (ent & ((1ull << 55) - 1)) * ps + va % ps;
}
