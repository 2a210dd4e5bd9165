// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "dext" host backend: host.h over IOKitLib, talking to the pcipass
 * dext's user client (ABI: mac/include/pcipass/dext_abi.h).  One host.h
 * call is one selector (DMA batches: one per chunk) or one IOKit memory
 * mapping; docs/mac-client.md has the table and the reasoning.
 *
 * Objects:
 *   struct dext_host    the backend: one IONotificationPort on one serial
 *                       dispatch queue, shared by every device;
 *   struct dext_dev     one claimed function: its io_connect_t, the
 *                       irq_fd pipe, the BAR mappings;
 *   struct dext_ticket  the refcon of the device's async IRQ_WAIT and of its
 *                       termination notification.  A completion can still
 *                       arrive after close (the aborted wait), so tickets
 *                       live until destroy; close detaches the device from
 *                       its ticket under the ticket's lock.
 *
 * Interrupt wake-ups: one IRQ_WAIT is armed per device (d->armed).  Its
 * completion (on the dispatch queue) clears armed and writes a byte to the
 * pipe; irq_take and events drain the pipe, read, and re-arm.  The dext
 * completes a wait at once if something is deliverable when it is armed,
 * so nothing raised between the read and the re-arm is lost, and a vector
 * that stays pending is not re-armed for until the VMM has taken it (no
 * completion storm).
 *
 * Unplug: kIOMessageServiceIsTerminated, a completion carrying
 * PP_DEXT_EV_GONE, or a failed call that INFO confirms set d->gone; from
 * then on every call but events, irq_fd, bar_unmap and close answers
 * PP_ERR_HOST locally.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>
#include <IOKit/IOMessage.h>
#include <dispatch/dispatch.h>
#include <mach/mach.h>
#include <mach/mach_vm.h>

#include "dext.h"
#include "pcipass/dext_abi.h"
#include "pcipass/proto.h"

#define MAX_SERVICES   64
#define MAX_BATCH      4096u           /* host.h: dma_map/unmap per call */
#define PCI_COMMAND    0x04u
#define PCI_CMD_MSE    0x2u
#define PCI_CMD_BME    0x4u

PP_STATIC_ASSERT(PP_DEXT_PROT_READ == PP_MAP_READ &&
		 PP_DEXT_PROT_WRITE == PP_MAP_WRITE, "prot bits");
PP_STATIC_ASSERT(PP_DEXT_EV_GONE == PP_HOST_EV_GONE &&
		 PP_DEXT_EV_DMA_FAULT == PP_HOST_EV_DMA_FAULT, "event bits");
PP_STATIC_ASSERT((unsigned int)PP_DEXT_BAR_MEM32 == PP_HOST_BAR_MEM32 &&
		 (unsigned int)PP_DEXT_BAR_MEM64 == PP_HOST_BAR_MEM64 &&
		 (unsigned int)PP_DEXT_BAR_IO == PP_HOST_BAR_IO, "bar types");
PP_STATIC_ASSERT((unsigned int)PP_DEXT_IRQ_MSI == PP_HOST_IRQ_MSI &&
		 (unsigned int)PP_DEXT_IRQ_MSIX == PP_HOST_IRQ_MSIX, "irq");
PP_STATIC_ASSERT((unsigned int)PP_DEXT_RESET_FUNCTION ==
		 PP_HOST_RESET_FUNCTION &&
		 (unsigned int)PP_DEXT_RESET_HOT == PP_HOST_RESET_HOT, "reset");
PP_STATIC_ASSERT(PP_DEXT_NR_BARS == PP_HOST_MAX_BARS &&
		 PP_DEXT_MAX_VECTORS == PP_HOST_MAX_VECTORS &&
		 PP_DEXT_CFG_SIZE == PP_HOST_CFG_SIZE, "limits");

struct dext_dev;

struct dext_ticket {
	struct dext_ticket *next;
	pthread_mutex_t lock;
	struct dext_dev *dev;          /* NULL once closed */
};

struct dext_host {
	struct pp_host host;           /* first */
	IONotificationPortRef np;
	dispatch_queue_t queue;
	bool wc;
	pthread_mutex_t lock;          /* devs, tickets */
	struct dext_dev *devs;
	struct dext_ticket *tickets;
};

struct dext_map {
	mach_vm_address_t addr;
	mach_vm_size_t size;
	unsigned int refs;
};

struct dext_dev {
	struct pp_host_dev dev;        /* first: the handle the VMM holds */
	struct dext_host *h;
	struct dext_dev *next;
	struct dext_ticket *ticket;
	io_service_t service;
	io_connect_t conn;
	io_object_t notif;
	struct pp_host_dev_info info;
	struct pp_dext_bar_info bar[PP_DEXT_NR_BARS];
	struct dext_map map[PP_DEXT_NR_BARS];
	int rfd, wfd;
	atomic_bool gone;
	atomic_bool armed;
	_Atomic unsigned int irq_granted; /* this claim; 0: not configured */
};

static const struct pp_host_ops dext_ops;

static struct dext_host *host_of(struct pp_host *h)
{
	return (struct dext_host *)h;
}

static struct dext_dev *dev_of(struct pp_host_dev *d)
{
	return (struct dext_dev *)d;
}

/* ---- status ------------------------------------------------------------ */

/* An IOReturn as a pp_status: the ABI's one-to-one table; anything outside
 * it (IPC failures, kIOReturnNotPermitted, ...) is PP_ERR_HOST. */
static int io_status(kern_return_t kr)
{
	return pp_dext_ioreturn_to_status((uint32_t)kr);
}

/* ---- wake-ups ------------------------------------------------------------ */

static void signal_fd(struct dext_dev *d)
{
	static const char one = 1;
	ssize_t r;

	do
		r = write(d->wfd, &one, 1);
	while (r < 0 && errno == EINTR);
	/* EAGAIN: the pipe is full, hence readable: nothing lost. */
}

static void drain_fd(struct dext_dev *d)
{
	char buf[64];
	ssize_t r;

	do
		r = read(d->rfd, buf, sizeof(buf));
	while (r == (ssize_t)sizeof(buf) || (r < 0 && errno == EINTR));
}

/* The device is gone; the fd is signalled once (unless the caller is
 * reporting it right now). */
static void set_gone(struct dext_dev *d, bool signal)
{
	if (!atomic_exchange(&d->gone, true) && signal)
		signal_fd(d);
}

static bool is_gone(struct dext_dev *d)
{
	return atomic_load(&d->gone);
}

/* INFO on the connection, raw (no gone handling). */
static kern_return_t raw_info(io_connect_t conn, struct pp_dext_info *in)
{
	size_t sz = sizeof(*in);
	kern_return_t kr;

	memset(in, 0, sizeof(*in));
	kr = IOConnectCallStructMethod(conn, PP_DEXT_SEL_INFO, NULL, 0, in,
				       &sz);
	if (kr == kIOReturnSuccess && sz != sizeof(*in))
		kr = kIOReturnIPCError;
	return kr;
}

/*
 * A call failed with PP_ERR_HOST: the dext also uses it for a failed device
 * access, so ask INFO whether the function is gone (an INFO that fails too
 * means the connection is dead: gone as well).
 */
static void check_gone(struct dext_dev *d)
{
	struct pp_dext_info in;

	if (is_gone(d))
		return;
	if (raw_info(d->conn, &in) != kIOReturnSuccess ||
	    (in.state & PP_DEXT_STATE_GONE))
		set_gone(d, true);
}

static void wait_done(void *refcon, IOReturn result, void **args,
		      uint32_t nargs)
{
	struct dext_ticket *t = refcon;
	struct dext_dev *d;

	pthread_mutex_lock(&t->lock);
	d = t->dev;
	if (d) {
		atomic_store(&d->armed, false);
		if (result == kIOReturnSuccess) {
			uint64_t ev = nargs > 1 ? (uint64_t)(uintptr_t)args[1]
						: 0;

			if (ev & PP_DEXT_EV_GONE)
				set_gone(d, true);
			else
				signal_fd(d);
		} else if ((uint32_t)result == PP_DEXT_IORET_ABORTED) {
			/* Replaced or released: the next irq_take/events
			 * re-arms. */
			signal_fd(d);
		} else {
			check_gone(d);
			signal_fd(d);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

static void interest_cb(void *refcon, io_service_t service,
			uint32_t type, void *arg)
{
	struct dext_ticket *t = refcon;

	(void)service;
	(void)arg;
	if (type != kIOMessageServiceIsTerminated)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->dev)
		set_gone(t->dev, true);
	pthread_mutex_unlock(&t->lock);
}

/* Arms IRQ_WAIT unless it is armed (any thread). */
static void ensure_armed(struct dext_dev *d)
{
	uint64_t ref[kIOAsyncCalloutCount];
	kern_return_t kr;

	if (is_gone(d) || atomic_exchange(&d->armed, true))
		return;
	memset(ref, 0, sizeof(ref));
	ref[kIOAsyncCalloutFuncIndex] = (uint64_t)(uintptr_t)wait_done;
	ref[kIOAsyncCalloutRefconIndex] = (uint64_t)(uintptr_t)d->ticket;
	kr = IOConnectCallAsyncScalarMethod(d->conn, PP_DEXT_SEL_IRQ_WAIT,
					    IONotificationPortGetMachPort(d->h->np),
					    ref, kIOAsyncCalloutCount,
					    NULL, 0, NULL, NULL);
	if (kr != kIOReturnSuccess) {
		atomic_store(&d->armed, false);
		check_gone(d);
	}
}

/* ---- selector calls -------------------------------------------------------- */

static int finish(struct dext_dev *d, kern_return_t kr)
{
	int st = io_status(kr);

	if (st == PP_ERR_HOST)
		check_gone(d);
	return st;
}

static int call_scalar(struct dext_dev *d, uint32_t sel, const uint64_t *in,
		       uint32_t nin, uint64_t *out, uint32_t nout)
{
	uint32_t cnt = nout;
	kern_return_t kr;

	kr = IOConnectCallScalarMethod(d->conn, sel, in, nin, out,
				       nout ? &cnt : NULL);
	if (kr == kIOReturnSuccess && cnt != nout)
		kr = kIOReturnIPCError;     /* not the ABI's dext */
	return finish(d, kr);
}

static int call_struct(struct dext_dev *d, uint32_t sel, const uint64_t *in,
		       uint32_t nin, const void *sin, size_t sin_size,
		       void *sout, size_t sout_size)
{
	size_t sz = sout_size;
	kern_return_t kr;

	kr = IOConnectCallMethod(d->conn, sel, in, nin, sin, sin_size, NULL,
				 NULL, sout, sout_size ? &sz : NULL);
	if (kr == kIOReturnSuccess && sz != sout_size)
		kr = kIOReturnIPCError;
	return finish(d, kr);
}

/* ---- identity ---------------------------------------------------------------- */

/* The root port's name: the topmost IOPCIDevice above the service. */
static void root_name(io_service_t svc, uint64_t registry_id, char *out,
		      size_t size)
{
	io_registry_entry_t e = svc, parent;
	io_name_t name;
	bool found = false;

	for (unsigned int depth = 0; depth < 32; depth++) {
		if (IORegistryEntryGetParentEntry(e, kIOServicePlane,
						  &parent) != KERN_SUCCESS)
			break;
		if (e != svc)
			IOObjectRelease(e);
		e = parent;
		if (IOObjectConformsTo(e, "IOPCIDevice") &&
		    IORegistryEntryGetName(e, name) == KERN_SUCCESS) {
			name[sizeof(name) - 1] = 0;
			snprintf(out, size, "%.*s", (int)size - 1, name);
			found = true;
		}
	}
	if (e != svc)
		IOObjectRelease(e);
	if (!found)
		snprintf(out, size, "reg%llx", (unsigned long long)registry_id);
	/* ':' separates the id's fields; keep the name printable. */
	for (char *p = out; *p; p++)
		if (*p == ':' || *p <= ' ' || *p > '~')
			*p = '_';
}

static void make_info(io_service_t svc, const struct pp_dext_info *in,
		      struct pp_host_dev_info *info)
{
	char root[40];
	io_name_t name;

	memset(info, 0, sizeof(*info));
	root_name(svc, in->registry_id, root, sizeof(root));
	snprintf(info->id, sizeof(info->id), "%s:%02x:%02x.%x", root,
		 in->bus, in->dev & 0x1f, in->fn & 7);
	if (IORegistryEntryGetName(svc, name) != KERN_SUCCESS)
		name[0] = 0;
	name[sizeof(name) - 1] = 0;
	snprintf(info->location, sizeof(info->location),
		 "%s root port, %02x:%02x.%x", root, in->bus, in->dev & 0x1f,
		 in->fn & 7);
	info->segment = 0;
	info->bus = in->bus;
	info->dev = in->dev;
	info->fn = in->fn;
	info->vendor = in->vendor;
	info->device = in->device;
	info->subsys_vendor = in->subsys_vendor;
	info->subsys_device = in->subsys_device;
	info->class_code = in->class_code & 0xffffff;
	info->revision = in->revision;
	info->nr_vectors = in->nr_vectors;
}

static bool user_class_is_ours(io_service_t svc)
{
	CFStringRef key;
	CFTypeRef v;
	char buf[64];
	bool ok = false;

	key = CFStringCreateWithCString(kCFAllocatorDefault, "IOUserClass",
					kCFStringEncodingUTF8);
	if (!key)
		return false;
	v = IORegistryEntryCreateCFProperty(svc, key, kCFAllocatorDefault, 0);
	CFRelease(key);
	if (!v)
		return false;
	if (CFGetTypeID(v) == CFStringGetTypeID() &&
	    CFStringGetCString((CFStringRef)v, buf, sizeof(buf),
			       kCFStringEncodingUTF8))
		ok = !strcmp(buf, PP_DEXT_USER_CLASS);
	CFRelease(v);
	return ok;
}

/*
 * The dext's services: by the name it sets (SetName), else every
 * IOUserService whose IOUserClass is ours (mac-driverkit.md 5).
 */
static unsigned int find_services(io_service_t *out, unsigned int max)
{
	io_iterator_t it;
	io_service_t s;
	unsigned int n = 0;

	if (IOServiceGetMatchingServices(kIOMainPortDefault,
					 IOServiceNameMatching(PP_DEXT_SERVICE_NAME),
					 &it) == KERN_SUCCESS) {
		while ((s = IOIteratorNext(it)) != IO_OBJECT_NULL) {
			if (n < max)
				out[n++] = s;
			else
				IOObjectRelease(s);
		}
		IOObjectRelease(it);
	}
	if (n)
		return n;
	if (IOServiceGetMatchingServices(kIOMainPortDefault,
					 IOServiceMatching("IOUserService"),
					 &it) != KERN_SUCCESS)
		return 0;
	while ((s = IOIteratorNext(it)) != IO_OBJECT_NULL) {
		if (n < max && user_class_is_ours(s))
			out[n++] = s;
		else
			IOObjectRelease(s);
	}
	IOObjectRelease(it);
	return n;
}

/* Whether this backend has the function with this id open. */
static bool open_here(struct dext_host *h, const char *id)
{
	bool mine = false;

	pthread_mutex_lock(&h->lock);
	for (struct dext_dev *d = h->devs; d; d = d->next)
		if (!strcmp(d->info.id, id))
			mine = true;
	pthread_mutex_unlock(&h->lock);
	return mine;
}

/* Whether our open device with this id is gone (unplugged, not closed). */
static bool open_gone(struct dext_host *h, const char *id)
{
	bool gone = false;

	pthread_mutex_lock(&h->lock);
	for (struct dext_dev *d = h->devs; d; d = d->next)
		if (!strcmp(d->info.id, id) && atomic_load(&d->gone))
			gone = true;
	pthread_mutex_unlock(&h->lock);
	return gone;
}

/* ---- backend ----------------------------------------------------------------- */

static int dext_enumerate(struct pp_host *hh, struct pp_host_dev_info *out,
			  unsigned int max, unsigned int *n)
{
	struct dext_host *h = host_of(hh);
	io_service_t svc[MAX_SERVICES];
	unsigned int ns, total = 0;

	if (!n || (!out && max))
		return PP_ERR_INVAL;
	ns = find_services(svc, MAX_SERVICES);
	for (unsigned int i = 0; i < ns; i++) {
		struct pp_host_dev_info info;
		struct pp_dext_info in;
		io_connect_t conn;
		kern_return_t kr;

		kr = IOServiceOpen(svc[i], mach_task_self(), PP_DEXT_UC_TYPE,
				   &conn);
		if (kr == KERN_SUCCESS) {
			kr = raw_info(conn, &in);
			IOServiceClose(conn);
		}
		if (kr == KERN_SUCCESS && !(in.state & PP_DEXT_STATE_GONE)) {
			make_info(svc[i], &in, &info);
			info.owned = (in.abi_version >> 16) ==
				     PP_DEXT_ABI_MAJOR &&
				     (!(in.state & PP_DEXT_STATE_CLAIMED) ||
				      open_here(h, info.id));
			if (total < max)
				out[total] = info;
			total++;
		}
		IOObjectRelease(svc[i]);
	}
	*n = total;
	return PP_OK;
}

static void dev_free(struct dext_dev *d)
{
	if (d->notif != IO_OBJECT_NULL)
		IOObjectRelease(d->notif);
	if (d->conn != IO_OBJECT_NULL)
		IOServiceClose(d->conn);
	if (d->service != IO_OBJECT_NULL)
		IOObjectRelease(d->service);
	if (d->rfd >= 0)
		close(d->rfd);
	if (d->wfd >= 0)
		close(d->wfd);
	free(d);
}

static int make_pipe(struct dext_dev *d)
{
	int fds[2];

	if (pipe(fds))
		return PP_ERR_NOMEM;
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fds[i], F_GETFL);

		fcntl(fds[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	d->rfd = fds[0];
	d->wfd = fds[1];
	return PP_OK;
}

static struct dext_ticket *new_ticket(struct dext_host *h,
				      struct dext_dev *d)
{
	struct dext_ticket *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->dev = d;
	pthread_mutex_lock(&h->lock);
	t->next = h->tickets;
	h->tickets = t;
	pthread_mutex_unlock(&h->lock);
	return t;
}

static void detach_ticket(struct dext_dev *d)
{
	if (!d->ticket)
		return;
	pthread_mutex_lock(&d->ticket->lock);
	d->ticket->dev = NULL;
	pthread_mutex_unlock(&d->ticket->lock);
}

/* Claimed: COMMAND.MSE/BME clear (the previous claim may have left them
 * set, and the dext does not clear them at CLAIM), BAR infos cached. */
static int after_claim(struct dext_dev *d)
{
	uint64_t in[3], out[1];
	int st;

	in[0] = PCI_COMMAND;
	in[1] = 2;
	st = call_scalar(d, PP_DEXT_SEL_CFG_READ, in, 2, out, 1);
	if (st != PP_OK)
		return st;
	if (out[0] & (PCI_CMD_MSE | PCI_CMD_BME)) {
		in[2] = out[0] & ~(uint64_t)(PCI_CMD_MSE | PCI_CMD_BME) & 0xffff;
		st = call_scalar(d, PP_DEXT_SEL_CFG_WRITE, in, 3, out, 1);
		if (st != PP_OK)
			return st;
	}
	for (unsigned int b = 0; b < PP_DEXT_NR_BARS; b++) {
		in[0] = b;
		st = call_struct(d, PP_DEXT_SEL_BAR_INFO, in, 1, NULL, 0,
				 &d->bar[b], sizeof(d->bar[b]));
		if (st != PP_OK)
			return st;
	}
	return PP_OK;
}

static int dext_open(struct pp_host *hh, const char *id,
		     struct pp_host_dev **out)
{
	struct dext_host *h = host_of(hh);
	io_service_t svc[MAX_SERVICES];
	struct dext_dev *d = NULL;
	struct pp_dext_info in;
	unsigned int ns;
	uint64_t claim[2];
	int st = PP_ERR_NOENT;

	if (!h || !id || !out)
		return PP_ERR_INVAL;
	if (open_here(h, id))             /* already claimed, by us */
		return open_gone(h, id) ? PP_ERR_NOENT : PP_ERR_HOST;
	ns = find_services(svc, MAX_SERVICES);
	for (unsigned int i = 0; i < ns; i++) {
		struct pp_host_dev_info info;
		io_connect_t conn;

		if (d || IOServiceOpen(svc[i], mach_task_self(),
				       PP_DEXT_UC_TYPE, &conn) != KERN_SUCCESS) {
			IOObjectRelease(svc[i]);
			continue;
		}
		if (raw_info(conn, &in) != KERN_SUCCESS ||
		    (in.state & PP_DEXT_STATE_GONE)) {
			IOServiceClose(conn);
			IOObjectRelease(svc[i]);
			continue;
		}
		make_info(svc[i], &in, &info);
		if (strcmp(info.id, id)) {
			IOServiceClose(conn);
			IOObjectRelease(svc[i]);
			continue;
		}
		d = calloc(1, sizeof(*d));
		if (!d) {
			IOServiceClose(conn);
			IOObjectRelease(svc[i]);
			st = PP_ERR_NOMEM;
			continue;
		}
		d->dev.ops = &dext_ops;
		d->h = h;
		d->service = svc[i];
		d->conn = conn;
		d->info = info;
		d->info.owned = true;
		d->rfd = d->wfd = -1;
		atomic_init(&d->gone, false);
		atomic_init(&d->armed, false);
		atomic_init(&d->irq_granted, 0);
	}
	if (!d)
		return st;

	if ((in.abi_version >> 16) != PP_DEXT_ABI_MAJOR) {
		st = PP_ERR_HOST;              /* not a dext we speak to */
		goto fail;
	}
	claim[0] = PP_DEXT_ABI_VERSION;
	claim[1] = 0;                          /* flags */
	st = call_scalar(d, PP_DEXT_SEL_CLAIM, claim, 2, NULL, 0);
	if (st != PP_OK) {
		/* FAULT: another client owns it; BADOP: refused class;
		 * VERSION: ABI mismatch.  All "the host refused". */
		if (st != PP_ERR_NOMEM)
			st = is_gone(d) ? PP_ERR_NOENT : PP_ERR_HOST;
		goto fail;
	}
	st = make_pipe(d);
	if (st != PP_OK)
		goto fail_release;
	d->ticket = new_ticket(h, d);
	if (!d->ticket) {
		st = PP_ERR_NOMEM;
		goto fail_release;
	}
	if (IOServiceAddInterestNotification(h->np, d->service,
					     kIOGeneralInterest, interest_cb,
					     d->ticket, &d->notif) !=
	    KERN_SUCCESS) {
		d->notif = IO_OBJECT_NULL;
		st = PP_ERR_HOST;
		goto fail_release;
	}
	st = after_claim(d);
	if (st == PP_OK && (raw_info(d->conn, &in) != KERN_SUCCESS ||
			    (in.state & PP_DEXT_STATE_GONE)))
		set_gone(d, false);
	if (is_gone(d))
		st = PP_ERR_NOENT;             /* unplugged meanwhile */
	if (st != PP_OK)
		goto fail_release;
	ensure_armed(d);
	pthread_mutex_lock(&h->lock);
	d->next = h->devs;
	h->devs = d;
	pthread_mutex_unlock(&h->lock);
	*out = &d->dev;
	return PP_OK;

fail_release:
	detach_ticket(d);
	IOConnectCallScalarMethod(d->conn, PP_DEXT_SEL_RELEASE, NULL, 0, NULL,
				  NULL);
fail:
	dev_free(d);
	return st;
}

/* ---- device ----------------------------------------------------------------- */

static void unmap_bar(struct dext_dev *d, unsigned int b)
{
	struct dext_map *m = &d->map[b];

	if (!m->addr)
		return;
	/* The dext answers CopyClientMemoryForType again on unmap; after
	 * GONE or a refusal, take the mapping out of our task ourselves. */
	if (IOConnectUnmapMemory64(d->conn, PP_DEXT_MAP_TYPE_BAR(b),
				   mach_task_self(), m->addr) != KERN_SUCCESS)
		mach_vm_deallocate(mach_task_self(), m->addr, m->size);
	m->addr = 0;
	m->size = 0;
	m->refs = 0;
}

static void dext_close(struct pp_host_dev *dd)
{
	struct dext_dev *d = dev_of(dd);
	struct dext_host *h;
	struct dext_dev **pp;

	if (!d)
		return;
	h = d->h;
	pthread_mutex_lock(&h->lock);
	for (pp = &h->devs; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	pthread_mutex_unlock(&h->lock);
	/* From here no callback touches d (the aborted wait is expected). */
	detach_ticket(d);
	if (!is_gone(d)) {
		uint64_t in[3] = { PCI_COMMAND, 2, 0 }, out[1];
		uint32_t cnt = 1;

		if (IOConnectCallScalarMethod(d->conn, PP_DEXT_SEL_CFG_READ,
					      in, 2, out, &cnt) ==
		    kIOReturnSuccess && cnt == 1 &&
		    (out[0] & (PCI_CMD_MSE | PCI_CMD_BME))) {
			in[2] = out[0] & ~(uint64_t)(PCI_CMD_MSE | PCI_CMD_BME)
				& 0xffff;
			cnt = 1;
			IOConnectCallScalarMethod(d->conn,
						  PP_DEXT_SEL_CFG_WRITE, in, 3,
						  out, &cnt);
		}
	}
	/* Unmap while still the owner: the dext checks ownership on unmap. */
	for (unsigned int b = 0; b < PP_DEXT_NR_BARS; b++)
		unmap_bar(d, b);
	/* Interrupts off, BME off, every DMA registration completed. */
	IOConnectCallScalarMethod(d->conn, PP_DEXT_SEL_RELEASE, NULL, 0, NULL,
				  NULL);
	dev_free(d);
}

static int dext_info(struct pp_host_dev *dd, struct pp_host_dev_info *info)
{
	struct dext_dev *d = dev_of(dd);

	if (!d || !info)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	*info = d->info;
	return PP_OK;
}

static bool cfg_ok(uint32_t off, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && !(off % size) &&
	       off < PP_HOST_CFG_SIZE && off + size <= PP_HOST_CFG_SIZE;
}

/* Argument statuses of the dext that are PP_ERR_INVAL in host.h. */
static int fold_inval(int st)
{
	switch (st) {
	case PP_ERR_RANGE: case PP_ERR_ALIGN: case PP_ERR_OVERFLOW:
	case PP_ERR_RESERVED: case PP_ERR_COUNT: case PP_ERR_BADOP:
		return PP_ERR_INVAL;
	default:
		return st;
	}
}

static int dext_cfg_read(struct pp_host_dev *dd, uint32_t off,
			 unsigned int size, uint32_t *val)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t in[2] = { off, size }, out[1];
	int st;

	if (!d || !val || !cfg_ok(off, size))
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	st = fold_inval(call_scalar(d, PP_DEXT_SEL_CFG_READ, in, 2, out, 1));
	if (st == PP_OK)
		*val = (uint32_t)out[0];
	return st;
}

static int dext_cfg_write(struct pp_host_dev *dd, uint32_t off,
			  unsigned int size, uint32_t val)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t in[3], out[1];

	if (!d || !cfg_ok(off, size))
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	in[0] = off;
	in[1] = size;
	in[2] = size == 4 ? val : val & ((1u << (8 * size)) - 1);
	/* The dext filters (pp_cfg_write_mask and the interrupt
	 * capabilities it programmed) and says which bytes it wrote. */
	return fold_inval(call_scalar(d, PP_DEXT_SEL_CFG_WRITE, in, 3, out,
				      1));
}

static int dext_bar_info(struct pp_host_dev *dd, unsigned int bar,
			 struct pp_host_bar_info *info)
{
	struct dext_dev *d = dev_of(dd);
	const struct pp_dext_bar_info *b;

	if (!d || !info || bar >= PP_HOST_MAX_BARS)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	b = &d->bar[bar];
	memset(info, 0, sizeof(*info));
	if (!b->size || (b->flags & PP_DEXT_BAR_F_UPPER) ||
	    b->type == PP_DEXT_BAR_NONE || b->type > PP_DEXT_BAR_IO)
		return PP_OK;
	info->size = b->size;
	info->type = (enum pp_host_bar_type)b->type;
	info->prefetchable = b->flags & PP_DEXT_BAR_F_PREFETCH;
	info->mappable = b->flags & PP_DEXT_BAR_F_MAPPABLE;
	return PP_OK;
}

static int dext_bar_map(struct pp_host_dev *dd, unsigned int bar, void **ptr,
			uint64_t *len)
{
	struct dext_dev *d = dev_of(dd);
	const struct pp_dext_bar_info *b;
	struct dext_map *m;
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;
	IOOptionBits opt = kIOMapAnywhere;
	kern_return_t kr;
	int st;

	if (!d || !ptr || !len || bar >= PP_HOST_MAX_BARS)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	b = &d->bar[bar];
	m = &d->map[bar];
	if (!b->size || !(b->flags & PP_DEXT_BAR_F_MAPPABLE) ||
	    (b->flags & PP_DEXT_BAR_F_UPPER))
		return PP_ERR_INVAL;
	if (m->refs) {
		m->refs++;
		*ptr = (void *)(uintptr_t)m->addr;
		*len = b->size;
		return PP_OK;
	}
	/* Prefetchable: write-combining (Normal-NC for QEMU's own accesses;
	 * fence before doorbells).  Else the default: Device-nGnRnE. */
	if (d->h->wc && (b->flags & PP_DEXT_BAR_F_PREFETCH))
		opt |= kIOMapWriteCombineCache;
	else
		opt |= kIOMapDefaultCache;
	kr = IOConnectMapMemory64(d->conn, PP_DEXT_MAP_TYPE_BAR(bar),
				  mach_task_self(), &addr, &size, opt);
	if (kr != KERN_SUCCESS) {
		st = finish(d, kr);
		return is_gone(d) ? PP_ERR_HOST :
		       st == PP_ERR_INVAL ? PP_ERR_INVAL : PP_ERR_HOST;
	}
	if (size < b->size || !addr) {
		if (IOConnectUnmapMemory64(d->conn, PP_DEXT_MAP_TYPE_BAR(bar),
					   mach_task_self(), addr) !=
		    KERN_SUCCESS && addr)
			mach_vm_deallocate(mach_task_self(), addr, size);
		return PP_ERR_HOST;
	}
	m->addr = addr;
	m->size = size;
	m->refs = 1;
	*ptr = (void *)(uintptr_t)addr;
	*len = b->size;
	return PP_OK;
}

static void dext_bar_unmap(struct pp_host_dev *dd, unsigned int bar,
			   void *ptr)
{
	struct dext_dev *d = dev_of(dd);
	struct dext_map *m;

	if (!d || bar >= PP_HOST_MAX_BARS)
		return;
	m = &d->map[bar];
	if (!m->refs || !ptr || m->addr != (mach_vm_address_t)(uintptr_t)ptr)
		return;
	if (--m->refs == 0)
		unmap_bar(d, bar);
}

static bool bar_access_ok(struct dext_dev *d, unsigned int bar, uint64_t off,
			  unsigned int size)
{
	const struct pp_dext_bar_info *b;

	if (bar >= PP_HOST_MAX_BARS)
		return false;
	b = &d->bar[bar];
	if (!b->size || (b->flags & PP_DEXT_BAR_F_UPPER))
		return false;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	return !(off % size) && off < b->size && size <= b->size - off;
}

static int dext_bar_read(struct pp_host_dev *dd, unsigned int bar,
			 uint64_t off, unsigned int size, uint64_t *val)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t in[3] = { bar, off, size }, out[1];
	int st;

	if (!d || !val)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	if (!bar_access_ok(d, bar, off, size))
		return PP_ERR_INVAL;
	st = fold_inval(call_scalar(d, PP_DEXT_SEL_BAR_READ, in, 3, out, 1));
	if (st == PP_OK)
		*val = out[0];
	return st;
}

static int dext_bar_write(struct pp_host_dev *dd, unsigned int bar,
			  uint64_t off, unsigned int size, uint64_t val)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t in[4] = { bar, off, size, val };

	if (!d)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	if (!bar_access_ok(d, bar, off, size))
		return PP_ERR_INVAL;
	if (size < 8)
		in[3] &= (1ull << (8 * size)) - 1;
	return fold_inval(call_scalar(d, PP_DEXT_SEL_BAR_WRITE, in, 4, NULL,
				      0));
}

/* ---- DMA ------------------------------------------------------------------------ */

static int dma_unmap_chunks(struct dext_dev *d, const uint64_t *bus,
			    int32_t *status, unsigned int n)
{
	struct pp_dext_unmap_in in[PP_DEXT_UNMAP_BATCH_MAX];
	int32_t out[PP_DEXT_UNMAP_BATCH_MAX];

	for (unsigned int i = 0; i < n; ) {
		unsigned int k = n - i < PP_DEXT_UNMAP_BATCH_MAX ?
				 n - i : PP_DEXT_UNMAP_BATCH_MAX;
		uint64_t cnt = k;
		int st;

		memset(in, 0, sizeof(in[0]) * k);
		for (unsigned int j = 0; j < k; j++)
			in[j].bus = bus[i + j];     /* handle 0: by bus */
		st = call_struct(d, PP_DEXT_SEL_DMA_UNMAP, &cnt, 1, in,
				 sizeof(in[0]) * k, out, sizeof(out[0]) * k);
		if (st != PP_OK)
			return is_gone(d) ? PP_ERR_HOST : st;
		if (status)
			for (unsigned int j = 0; j < k; j++)
				status[i + j] = out[j] == PP_ERR_RESERVED ?
						PP_ERR_NOENT : out[j];
		i += k;
	}
	return PP_OK;
}

/* Undoes the successful entries of res[0..n) (a failed whole call). */
static void dma_rollback(struct dext_dev *d, const int32_t *st,
			 const uint64_t *bus, unsigned int n)
{
	uint64_t b[PP_DEXT_UNMAP_BATCH_MAX];
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (st[i] != PP_OK)
			continue;
		b[k++] = bus[i];
		if (k == PP_DEXT_UNMAP_BATCH_MAX) {
			dma_unmap_chunks(d, b, NULL, k);
			k = 0;
		}
	}
	if (k)
		dma_unmap_chunks(d, b, NULL, k);
}

static int req_check(const struct pp_dma_req *r)
{
	if (!r->len || !r->addr || !r->prot || (r->prot & ~PP_MAP_RW) ||
	    r->addr + r->len < r->addr)
		return PP_ERR_INVAL;
	return PP_OK;
}

static int dext_dma_map(struct pp_host_dev *dd, struct pp_dma_req *reqs,
			unsigned int n)
{
	struct dext_dev *d = dev_of(dd);
	struct pp_dext_map_in in[PP_DEXT_MAP_BATCH_MAX];
	struct pp_dext_map_out out[PP_DEXT_MAP_BATCH_MAX];
	unsigned int idx[PP_DEXT_MAP_BATCH_MAX];
	int32_t *st_tmp;
	uint64_t *bus_tmp;
	int ret = PP_OK;

	if (!d || (!reqs && n))
		return PP_ERR_INVAL;
	if (n > MAX_BATCH)
		return PP_ERR_COUNT;
	if (is_gone(d))
		return PP_ERR_HOST;
	if (!n)
		return PP_OK;
	/* Results are staged: a whole-call failure leaves reqs untouched. */
	st_tmp = malloc(n * sizeof(*st_tmp));
	bus_tmp = malloc(n * sizeof(*bus_tmp));
	if (!st_tmp || !bus_tmp) {
		free(st_tmp);
		free(bus_tmp);
		return PP_ERR_NOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		st_tmp[i] = req_check(&reqs[i]);
		bus_tmp[i] = 0;
	}
	for (unsigned int i = 0; i < n && ret == PP_OK; ) {
		unsigned int k = 0;
		uint64_t cnt;

		/* The next chunk: up to 128 valid ranges (never PARTIAL: a
		 * range is mapped whole or not at all). */
		memset(in, 0, sizeof(in));
		for (; i < n && k < PP_DEXT_MAP_BATCH_MAX; i++) {
			if (st_tmp[i] != PP_OK)
				continue;
			in[k].addr = reqs[i].addr;
			in[k].len = reqs[i].len;
			in[k].prot = reqs[i].prot;
			idx[k++] = i;
		}
		if (!k)
			break;
		cnt = k;
		ret = call_struct(d, PP_DEXT_SEL_DMA_MAP, &cnt, 1, in,
				  sizeof(in[0]) * k, out, sizeof(out[0]) * k);
		if (ret != PP_OK) {
			/* This chunk mapped nothing; undo the earlier ones. */
			for (unsigned int j = 0; j < k; j++)
				st_tmp[idx[j]] = PP_ERR_HOST;
			dma_rollback(d, st_tmp, bus_tmp, idx[0]);
			if (is_gone(d) || ret != PP_ERR_NOMEM)
				ret = PP_ERR_HOST;
			break;
		}
		for (unsigned int j = 0; j < k; j++) {
			int32_t s = out[j].status;

			if (s == PP_ERR_OVERFLOW || s == PP_ERR_RESERVED ||
			    s == PP_ERR_ALIGN)
				s = PP_ERR_INVAL;

			if (s == PP_OK && out[j].len != in[j].len) {
				/* Not asked for PARTIAL: refuse a short one. */
				uint64_t b = out[j].bus;

				dma_unmap_chunks(d, &b, NULL, 1);
				s = PP_ERR_SPLIT;
			}
			st_tmp[idx[j]] = s;
			bus_tmp[idx[j]] = s == PP_OK ? out[j].bus : 0;
		}
	}
	if (ret == PP_OK)
		for (unsigned int i = 0; i < n; i++) {
			reqs[i].status = st_tmp[i];
			reqs[i].bus = bus_tmp[i];
		}
	free(st_tmp);
	free(bus_tmp);
	return ret;
}

static int dext_dma_unmap(struct pp_host_dev *dd, const uint64_t *bus,
			  int32_t *status, unsigned int n)
{
	struct dext_dev *d = dev_of(dd);

	if (!d || ((!bus || !status) && n))
		return PP_ERR_INVAL;
	if (n > MAX_BATCH)
		return PP_ERR_COUNT;
	if (is_gone(d))
		return PP_ERR_HOST;
	return dma_unmap_chunks(d, bus, status, n);
}

static int dext_dma_usage(struct pp_host_dev *dd, struct pp_host_dma_usage *u)
{
	struct dext_dev *d = dev_of(dd);
	struct pp_dext_dma_usage du;
	int st;

	if (!d || !u)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	st = call_struct(d, PP_DEXT_SEL_DMA_USAGE, NULL, 0, NULL, 0, &du,
			 sizeof(du));
	if (st != PP_OK)
		return is_gone(d) ? PP_ERR_HOST : st;
	u->live_bytes = du.live_bytes;
	u->live_entries = du.live_entries;
	u->cap_bytes = du.cap_bytes;
	u->max_entries = du.max_entries;
	u->faults = du.faults;
	return PP_OK;
}

/* ---- interrupts ------------------------------------------------------------------ */

static int dext_irq_configure(struct pp_host_dev *dd, enum pp_host_irq_type type,
			      unsigned int nvec, unsigned int *granted)
{
	struct dext_dev *d = dev_of(dd);
	struct pp_dext_info in;
	uint64_t sin[2], sout[2];
	int st;

	if (!d || !granted || (type != PP_HOST_IRQ_MSI &&
			       type != PP_HOST_IRQ_MSIX) ||
	    !nvec || nvec > PP_HOST_MAX_VECTORS)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	if (raw_info(d->conn, &in) != KERN_SUCCESS) {
		check_gone(d);
		return PP_ERR_HOST;
	}
	if (in.state & PP_DEXT_STATE_GONE) {
		set_gone(d, true);
		return PP_ERR_HOST;
	}
	/* No silent MSI fallback (host.h): refuse what the function lacks
	 * or what contradicts its first, permanent configuration. */
	if ((type == PP_HOST_IRQ_MSIX && !in.msix_cap) ||
	    (type == PP_HOST_IRQ_MSI && !in.msi_cap) ||
	    (in.irq_type && in.irq_type != (unsigned int)type))
		return PP_ERR_INVAL;
	sin[0] = (uint64_t)type;
	sin[1] = nvec;
	st = call_scalar(d, PP_DEXT_SEL_IRQ_CONFIGURE, sin, 2, sout, 2);
	if (st != PP_OK)
		return is_gone(d) ? PP_ERR_HOST :
		       fold_inval(st) == PP_ERR_INVAL ? PP_ERR_INVAL :
		       PP_ERR_HOST;
	if (sout[0] != (uint64_t)type)
		return PP_ERR_INVAL;   /* the dext fell back to MSI: for good */
	if (!sout[1] || sout[1] > nvec)
		return PP_ERR_HOST;
	*granted = (unsigned int)sout[1];
	atomic_store(&d->irq_granted, *granted);
	return PP_OK;
}

static int dext_irq_fd(struct pp_host_dev *dd)
{
	struct dext_dev *d = dev_of(dd);

	return d ? d->rfd : -1;
}

static int dext_irq_take(struct pp_host_dev *dd, uint64_t pending[4])
{
	struct dext_dev *d = dev_of(dd);
	uint64_t out[PP_DEXT_IRQ_WORDS];
	int st;

	if (!d || !pending)
		return PP_ERR_INVAL;
	memset(pending, 0, 4 * sizeof(pending[0]));
	if (is_gone(d))
		return PP_ERR_HOST;
	drain_fd(d);
	st = call_scalar(d, PP_DEXT_SEL_IRQ_TAKE, NULL, 0, out,
			 PP_DEXT_IRQ_WORDS);
	if (st == PP_OK)
		memcpy(pending, out, sizeof(out));
	ensure_armed(d);
	return is_gone(d) ? PP_ERR_HOST : st;
}

static int dext_irq_mask(struct pp_host_dev *dd, unsigned int vec, bool masked)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t in[2] = { vec, masked ? 1 : 0 };
	unsigned int g;

	if (!d)
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	g = atomic_load(&d->irq_granted);
	if (!g)
		return PP_ERR_NOTREADY;
	if (vec >= g)
		return PP_ERR_INVAL;
	/* The dext latches while masked and completes the armed wait when
	 * an unmask makes a vector deliverable. */
	return call_scalar(d, PP_DEXT_SEL_IRQ_MASK, in, 2, NULL, 0);
}

static int dext_events(struct pp_host_dev *dd, uint32_t *events)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t out[1];
	int st;

	if (!d || !events)
		return PP_ERR_INVAL;
	*events = 0;
	drain_fd(d);
	if (is_gone(d)) {
		*events = PP_HOST_EV_GONE;
		return PP_OK;
	}
	st = call_scalar(d, PP_DEXT_SEL_EVENTS, NULL, 0, out, 1);
	if (st == PP_OK) {
		*events = (uint32_t)out[0] &
			  (PP_HOST_EV_GONE | PP_HOST_EV_DMA_FAULT);
		if (*events & PP_HOST_EV_GONE)
			set_gone(d, false);    /* reported now */
	}
	if (is_gone(d)) {
		*events |= PP_HOST_EV_GONE;
		return PP_OK;
	}
	/* A wake-up that carried an interrupt the VMM has not taken yet
	 * re-signals at once: the re-armed wait completes immediately. */
	ensure_armed(d);
	return st;
}

static int dext_reset(struct pp_host_dev *dd, enum pp_host_reset type)
{
	struct dext_dev *d = dev_of(dd);
	uint64_t in[1] = { (uint64_t)type };
	int st;

	if (!d || (type != PP_HOST_RESET_FUNCTION && type != PP_HOST_RESET_HOT))
		return PP_ERR_INVAL;
	if (is_gone(d))
		return PP_ERR_HOST;
	st = call_scalar(d, PP_DEXT_SEL_RESET, in, 1, NULL, 0);
	return st == PP_OK ? PP_OK : st == PP_ERR_INVAL ? PP_ERR_INVAL :
	       PP_ERR_HOST;
}

/* ---- backend life ------------------------------------------------------------------ */

static void noop(void *arg)
{
	(void)arg;
}

static void dext_destroy(struct pp_host *hh)
{
	struct dext_host *h = host_of(hh);

	if (!h)
		return;
	for (;;) {
		struct dext_dev *d;

		pthread_mutex_lock(&h->lock);
		d = h->devs;
		pthread_mutex_unlock(&h->lock);
		if (!d)
			break;
		dext_close(&d->dev);
	}
	/* No message after this; then let a callback in flight finish. */
	IONotificationPortDestroy(h->np);
	dispatch_sync_f(h->queue, NULL, noop);
	dispatch_release(h->queue);
	while (h->tickets) {
		struct dext_ticket *t = h->tickets;

		h->tickets = t->next;
		pthread_mutex_destroy(&t->lock);
		free(t);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static int parse_args(const char *args, bool *wc)
{
	const char *p = args;

	*wc = true;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == 5 && !strncmp(p, "wc=on", 5))
			*wc = true;
		else if (len == 6 && !strncmp(p, "wc=off", 6))
			*wc = false;
		else
			return PP_ERR_INVAL;
		p = e ? e + 1 : NULL;
	}
	return PP_OK;
}

struct pp_host *pp_host_dext_create(const char *args, int *status)
{
	struct dext_host *h;
	int dummy;
	bool wc;

	if (!status)
		status = &dummy;
	if (parse_args(args, &wc) != PP_OK) {
		*status = PP_ERR_INVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		*status = PP_ERR_NOMEM;
		return NULL;
	}
	h->host.ops = &dext_ops;
	h->wc = wc;
	pthread_mutex_init(&h->lock, NULL);
	h->np = IONotificationPortCreate(kIOMainPortDefault);
	h->queue = dispatch_queue_create("org.pcipass.dext", DISPATCH_QUEUE_SERIAL);
	if (!h->np || !h->queue) {
		if (h->np)
			IONotificationPortDestroy(h->np);
		if (h->queue)
			dispatch_release(h->queue);
		pthread_mutex_destroy(&h->lock);
		free(h);
		*status = PP_ERR_HOST;
		return NULL;
	}
	IONotificationPortSetDispatchQueue(h->np, h->queue);
	*status = PP_OK;
	return &h->host;
}

static const struct pp_host_ops dext_ops = {
	.name = "dext",
	.enumerate = dext_enumerate,
	.open = dext_open,
	.destroy = dext_destroy,
	.close = dext_close,
	.info = dext_info,
	.cfg_read = dext_cfg_read,
	.cfg_write = dext_cfg_write,
	.bar_info = dext_bar_info,
	.bar_map = dext_bar_map,
	.bar_unmap = dext_bar_unmap,
	.bar_read = dext_bar_read,
	.bar_write = dext_bar_write,
	.dma_map = dext_dma_map,
	.dma_unmap = dext_dma_unmap,
	.dma_usage = dext_dma_usage,
	.irq_configure = dext_irq_configure,
	.irq_fd = dext_irq_fd,
	.irq_take = dext_irq_take,
	.irq_mask = dext_irq_mask,
	.events = dext_events,
	.reset = dext_reset,
};
