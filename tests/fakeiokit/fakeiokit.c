// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IOKitLib/CoreFoundation/mach/dispatch fake (contract: fakeiokit.h)
 * and the fake PCIDriverKit platform of the dext core over the sim device
 * model.  Test code only.
 */
#include <errno.h>
#include <poll.h>
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

#include "fakeiokit.h"
#include "../../mac/dext/core/dext_core.h"
#include "../../hosts/sim/sim.h"

#define MAX_HANDLES   4096
#define MAX_ENTRIES   64
#define TASK_SELF     0x103u

const mach_port_t kIOMainPortDefault = 0;

mach_port_t fakeiokit_mach_task_self(void)
{
	return TASK_SELF;
}

/* ---- dispatch: serial queues, one thread each ------------------------------ */

struct dq_item {
	dispatch_function_t fn;
	void *ctx;
	struct dq_item *next;
	bool *done;                   /* dispatch_sync_f */
};

struct dispatch_queue_s {
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond, done_cond;
	struct dq_item *head, *tail;
	bool stop;
};

static atomic_uint live_queues;

static void *dq_thread(void *arg)
{
	struct dispatch_queue_s *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct dq_item *it = q->head;

		if (!it) {
			if (q->stop)
				break;
			pthread_cond_wait(&q->cond, &q->lock);
			continue;
		}
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->lock);
		it->fn(it->ctx);
		pthread_mutex_lock(&q->lock);
		if (it->done) {
			*it->done = true;
			pthread_cond_broadcast(&q->done_cond);
		}
		free(it);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr)
{
	struct dispatch_queue_s *q = calloc(1, sizeof(*q));

	(void)label;
	(void)attr;
	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	pthread_cond_init(&q->done_cond, NULL);
	if (pthread_create(&q->th, NULL, dq_thread, q)) {
		free(q);
		return NULL;
	}
	atomic_fetch_add(&live_queues, 1);
	return q;
}

static void dq_push(struct dispatch_queue_s *q, struct dq_item *it)
{
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void dispatch_async_f(dispatch_queue_t q, void *ctx, dispatch_function_t fn)
{
	struct dq_item *it = calloc(1, sizeof(*it));

	if (!it)
		abort();
	it->fn = fn;
	it->ctx = ctx;
	dq_push(q, it);
}

void dispatch_sync_f(dispatch_queue_t q, void *ctx, dispatch_function_t fn)
{
	struct dq_item *it = calloc(1, sizeof(*it));
	bool done = false;

	if (!it)
		abort();
	it->fn = fn;
	it->ctx = ctx;
	it->done = &done;
	dq_push(q, it);
	pthread_mutex_lock(&q->lock);
	while (!done)
		pthread_cond_wait(&q->done_cond, &q->lock);
	pthread_mutex_unlock(&q->lock);
}

void dispatch_release(void *object)
{
	struct dispatch_queue_s *q = object;

	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->th, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	pthread_cond_destroy(&q->done_cond);
	free(q);
	atomic_fetch_sub(&live_queues, 1);
}

/* ---- CoreFoundation ---------------------------------------------------------- */

enum { CF_STRING = 1, CF_DICT = 2 };

struct __CFString {
	int kind;
	char s[128];
};

struct __CFDictionary {
	int kind;
	bool by_name;                 /* IOServiceNameMatching, else class */
	char s[128];
};

static atomic_uint live_cf;

CFStringRef CFStringCreateWithCString(CFAllocatorRef alloc, const char *cStr,
				      CFStringEncoding encoding)
{
	struct __CFString *s = calloc(1, sizeof(*s));

	(void)alloc;
	(void)encoding;
	if (!s)
		return NULL;
	s->kind = CF_STRING;
	snprintf(s->s, sizeof(s->s), "%s", cStr);
	atomic_fetch_add(&live_cf, 1);
	return s;
}

Boolean CFStringGetCString(CFStringRef str, char *buf, CFIndex size,
			   CFStringEncoding encoding)
{
	(void)encoding;
	if (!str || size <= 0 || strlen(str->s) >= (size_t)size)
		return 0;
	strcpy(buf, str->s);
	return 1;
}

CFTypeID CFGetTypeID(CFTypeRef cf)
{
	return (CFTypeID)*(const int *)cf;
}

CFTypeID CFStringGetTypeID(void)
{
	return CF_STRING;
}

void CFRelease(CFTypeRef cf)
{
	if (!cf)
		abort();              /* CFRelease(NULL) crashes on a Mac */
	free((void *)(uintptr_t)cf);
	atomic_fetch_sub(&live_cf, 1);
}

static CFMutableDictionaryRef new_match(const char *s, bool by_name)
{
	struct __CFDictionary *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->kind = CF_DICT;
	d->by_name = by_name;
	snprintf(d->s, sizeof(d->s), "%s", s);
	atomic_fetch_add(&live_cf, 1);
	return d;
}

CFMutableDictionaryRef IOServiceMatching(const char *name)
{
	return new_match(name, false);
}

CFMutableDictionaryRef IOServiceNameMatching(const char *name)
{
	return new_match(name, true);
}

/* ---- the world: slots, functions, registry ---------------------------------- */

struct fk_fn;

struct fk_entry {
	char name[64];
	const char *cls[3];            /* class, superclasses */
	char user_class[32];
	struct fk_entry *parent;
	uint64_t id;
	struct fk_fn *fn;              /* the dext's service */
	bool terminated;
};

struct fk_fn {
	struct fk_slot *slot;
	struct pp_host_dev *sd;        /* the sim function (held open) */
	struct pp_dext_dev *dx;        /* the dext core's device */
	pthread_mutex_t lock;
	atomic_bool irq_enabled;
	bool stopped;                  /* Stop ran: no new clients */
	struct pp_host_dev_info info;
	struct fk_entry *svc;
};

struct fk_slot {
	struct pp_host *sim;
	struct fk_fn fn[2];
	unsigned int nfn;
	pthread_t irq_th;
	bool irq_running;
	int stop_pipe[2];
};

enum { H_FREE, H_ENTRY, H_ITER, H_CONN, H_NOTIF };

struct fk_conn {
	struct fk_fn *fn;
	struct pp_dext_client *c;
};

struct fk_iter {
	struct fk_entry *e[MAX_ENTRIES];
	unsigned int n, pos;
};

struct IONotificationPort {
	pthread_mutex_t lock;
	dispatch_queue_t queue;
	bool destroyed;
	mach_port_t port;
	struct fk_msg *backlog;
	struct IONotificationPort *next;
};

struct fk_notif {
	struct IONotificationPort *np;
	struct fk_entry *e;
	IOServiceInterestCallback cb;
	void *refcon;
	io_service_t svc;
};

struct fk_handle {
	int kind;
	void *obj;
};

struct fk_map {
	io_connect_t conn;
	uint32_t type;
	struct fk_fn *fn;
	unsigned int bar;
	mach_vm_address_t addr;
	mach_vm_size_t size;
	uint32_t options;
	struct fk_map *next;
};

struct fk_token {
	struct IONotificationPort *np;
	uint64_t func, refcon;
};

struct fk_msg {
	struct IONotificationPort *np;
	bool interest;
	uint64_t func, refcon;
	uint32_t result;
	unsigned int nargs;
	uint64_t args[16];
	io_service_t svc;
	struct fk_msg *next;
};

static struct {
	pthread_mutex_t lock;
	bool up;
	struct fakeiokit_opts opts;
	struct fk_slot slot[FAKEIOKIT_MAX_SLOTS];
	unsigned int nslots;
	struct fk_entry *entries[MAX_ENTRIES];
	unsigned int nentries;
	struct fk_handle h[MAX_HANDLES];
	struct fk_map *maps;
	struct IONotificationPort *ports;
	atomic_bool ipc_dead;
	atomic_uint tokens;
	struct fakeiokit_counts cnt;
} G = { .lock = PTHREAD_MUTEX_INITIALIZER };

static io_object_t h_new(int kind, void *obj)
{
	io_object_t r = IO_OBJECT_NULL;

	pthread_mutex_lock(&G.lock);
	for (unsigned int i = 1; i < MAX_HANDLES; i++)
		if (G.h[i].kind == H_FREE) {
			G.h[i].kind = kind;
			G.h[i].obj = obj;
			r = i;
			break;
		}
	pthread_mutex_unlock(&G.lock);
	if (!r)
		abort();
	return r;
}

static void *h_get(io_object_t o, int kind)
{
	void *p = NULL;

	pthread_mutex_lock(&G.lock);
	if (o > 0 && o < MAX_HANDLES && G.h[o].kind == kind)
		p = G.h[o].obj;
	pthread_mutex_unlock(&G.lock);
	return p;
}

static struct fk_entry *add_entry(const char *name, const char *cls,
				  const char *super, struct fk_entry *parent)
{
	struct fk_entry *e = calloc(1, sizeof(*e));

	if (!e || G.nentries == MAX_ENTRIES)
		abort();
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->cls[0] = cls;
	e->cls[1] = super;
	e->parent = parent;
	e->id = 0x100000100ull + G.nentries * 0x10;
	G.entries[G.nentries++] = e;
	return e;
}

/* ---- messages to notification ports ------------------------------------------- */

static void deliver(void *arg)
{
	struct fk_msg *m = arg;
	void *argv[16];

	pthread_mutex_lock(&m->np->lock);
	if (m->np->destroyed) {
		pthread_mutex_unlock(&m->np->lock);
		free(m);
		return;
	}
	pthread_mutex_unlock(&m->np->lock);
	if (m->interest) {
		IOServiceInterestCallback cb =
			(IOServiceInterestCallback)(uintptr_t)m->func;

		pthread_mutex_lock(&G.lock);
		G.cnt.interest_delivered++;
		pthread_mutex_unlock(&G.lock);
		cb((void *)(uintptr_t)m->refcon, m->svc, m->result, NULL);
	} else {
		IOAsyncCallback cb = (IOAsyncCallback)(uintptr_t)m->func;

		for (unsigned int i = 0; i < m->nargs; i++)
			argv[i] = (void *)(uintptr_t)m->args[i];
		pthread_mutex_lock(&G.lock);
		G.cnt.async_delivered++;
		pthread_mutex_unlock(&G.lock);
		/* IODispatchCalloutFromCFMessage: >= 3 args -> IOAsyncCallback */
		cb((void *)(uintptr_t)m->refcon, (IOReturn)m->result, argv,
		   m->nargs);
	}
	free(m);
}

static void post(struct fk_msg *m)
{
	struct IONotificationPort *np = m->np;

	pthread_mutex_lock(&np->lock);
	if (np->destroyed) {
		pthread_mutex_unlock(&np->lock);
		free(m);
		return;
	}
	if (!np->queue) {
		m->next = np->backlog;
		np->backlog = m;
		pthread_mutex_unlock(&np->lock);
		return;
	}
	dispatch_async_f(np->queue, m, deliver);
	pthread_mutex_unlock(&np->lock);
}

IONotificationPortRef IONotificationPortCreate(mach_port_t mainPort)
{
	struct IONotificationPort *np = calloc(1, sizeof(*np));

	(void)mainPort;
	if (!np)
		return NULL;
	pthread_mutex_init(&np->lock, NULL);
	pthread_mutex_lock(&G.lock);
	np->port = 0x50000u + (mach_port_t)(uintptr_t)G.cnt.ports;
	G.cnt.ports++;
	np->next = G.ports;
	G.ports = np;
	pthread_mutex_unlock(&G.lock);
	return np;
}

void IONotificationPortDestroy(IONotificationPortRef np)
{
	pthread_mutex_lock(&np->lock);
	np->destroyed = true;
	while (np->backlog) {
		struct fk_msg *m = np->backlog;

		np->backlog = m->next;
		free(m);
	}
	pthread_mutex_unlock(&np->lock);
	pthread_mutex_lock(&G.lock);
	G.cnt.ports--;
	pthread_mutex_unlock(&G.lock);
	/* freed at fakeiokit_fini: tokens may still point at it */
}

static struct IONotificationPort *port_by_mach(mach_port_t p)
{
	struct IONotificationPort *r = NULL;

	pthread_mutex_lock(&G.lock);
	for (struct IONotificationPort *np = G.ports; np; np = np->next)
		if (np->port == p)
			r = np;
	pthread_mutex_unlock(&G.lock);
	return r;
}

mach_port_t IONotificationPortGetMachPort(IONotificationPortRef np)
{
	return np->port;
}

void IONotificationPortSetDispatchQueue(IONotificationPortRef np,
					dispatch_queue_t queue)
{
	struct fk_msg *m, *rev = NULL;

	pthread_mutex_lock(&np->lock);
	np->queue = queue;
	while ((m = np->backlog)) {
		np->backlog = m->next;
		m->next = rev;
		rev = m;
	}
	while (queue && (m = rev)) {
		rev = m->next;
		dispatch_async_f(queue, m, deliver);
	}
	pthread_mutex_unlock(&np->lock);
}

/* ---- the fake PCIDriverKit platform over the sim ---------------------------------- */

static int pf_cfg_read(void *dev, uint32_t off, unsigned int size,
		       uint32_t *val)
{
	struct fk_fn *f = dev;

	return f->sd->ops->cfg_read(f->sd, off, size, val);
}

static int pf_cfg_write(void *dev, uint32_t off, unsigned int size,
			uint32_t val)
{
	struct fk_fn *f = dev;

	return f->sd->ops->cfg_write(f->sd, off, size, val);
}

static int pf_bar_info(void *dev, unsigned int bar, uint8_t *memory_index,
		       uint64_t *size, uint8_t *raw_type)
{
	struct fk_fn *f = dev;
	struct pp_host_bar_info bi;

	if (bar >= PP_HOST_MAX_BARS ||
	    f->sd->ops->bar_info(f->sd, bar, &bi) != PP_OK ||
	    bi.type == PP_HOST_BAR_NONE)
		return PP_ERR_NOENT;
	*memory_index = (uint8_t)bar;
	*size = bi.size;
	switch (bi.type) {
	case PP_HOST_BAR_IO:
		*raw_type = PP_DEXT_RAW_BAR_IO;
		break;
	case PP_HOST_BAR_MEM64:
		*raw_type = bi.prefetchable ? PP_DEXT_RAW_BAR_M64PF :
			    PP_DEXT_RAW_BAR_M64;
		break;
	default:
		*raw_type = bi.prefetchable ? PP_DEXT_RAW_BAR_M32PF :
			    PP_DEXT_RAW_BAR_M32;
		break;
	}
	return PP_OK;
}

static int pf_bar_read(void *dev, uint8_t idx, uint64_t off,
		       unsigned int size, uint64_t *val)
{
	struct fk_fn *f = dev;

	return f->sd->ops->bar_read(f->sd, idx, off, size, val);
}

static int pf_bar_write(void *dev, uint8_t idx, uint64_t off,
			unsigned int size, uint64_t val)
{
	struct fk_fn *f = dev;

	return f->sd->ops->bar_write(f->sd, idx, off, size, val);
}

static int pf_irq_configure(void *dev, unsigned int type, unsigned int nvec,
			    unsigned int *granted)
{
	struct fk_fn *f = dev;
	int st = f->sd->ops->irq_configure(f->sd, (enum pp_host_irq_type)type,
					   nvec, granted);

	/* The kernel's answer to an impossible configuration. */
	return st == PP_OK ? PP_OK : PP_ERR_HOST;
}

static void pf_irq_enable(void *dev, bool on)
{
	struct fk_fn *f = dev;

	atomic_store(&f->irq_enabled, on);
}

static int pf_reset(void *dev, unsigned int type)
{
	struct fk_fn *f = dev;

	return f->sd->ops->reset(f->sd, (enum pp_host_reset)type);
}

static void pf_complete_wait(void *dev, void *token, uint32_t ioret,
			     const uint64_t *args, unsigned int nargs)
{
	struct fk_token *t = token;
	struct fk_msg *m = calloc(1, sizeof(*m));

	(void)dev;
	if (!m)
		abort();
	m->np = t->np;
	m->func = t->func;
	m->refcon = t->refcon;
	m->result = ioret;
	m->nargs = nargs < 16 ? nargs : 16;
	memcpy(m->args, args, m->nargs * sizeof(args[0]));
	free(t);
	atomic_fetch_sub(&G.tokens, 1);
	post(m);
}

static void pf_lock(void *dev)
{
	struct fk_fn *f = dev;

	pthread_mutex_lock(&f->lock);
}

static void pf_unlock(void *dev)
{
	struct fk_fn *f = dev;

	pthread_mutex_unlock(&f->lock);
}

static void pf_log(void *dev, const char *line)
{
	(void)dev;
	if (getenv("FAKEIOKIT_LOG"))
		fprintf(stderr, "dext: %s\n", line);
}

struct fk_prep {
	struct fk_fn *fn;
	uint64_t bus;
};

/* CreateMemoryDescriptorFromClient + PrepareForDMA: the sim's DART maps the
 * client's own pages (it checks they are mapped; never a copy). */
static int pf_dma_prepare(void *client, uint64_t addr, uint64_t len,
			  uint32_t prot, void **token,
			  struct pp_dext_seg segs[PP_DEXT_MAX_SEGMENTS],
			  unsigned int *nseg, uint32_t *granted_prot)
{
	struct fk_conn *cn = client;
	struct pp_dma_req r = { .addr = addr, .len = len, .prot = prot };
	struct fk_prep *p;
	int st;

	st = cn->fn->sd->ops->dma_map(cn->fn->sd, &r, 1);
	if (st == PP_OK)
		st = r.status;
	if (st != PP_OK)
		return st == PP_ERR_SPLIT || st == PP_ERR_INVAL ? PP_ERR_RANGE
								: st;
	p = calloc(1, sizeof(*p));
	if (!p) {
		int32_t s;

		cn->fn->sd->ops->dma_unmap(cn->fn->sd, &r.bus, &s, 1);
		return PP_ERR_NOMEM;
	}
	p->fn = cn->fn;
	p->bus = r.bus;
	segs[0].addr = r.bus;
	segs[0].len = len;
	*nseg = 1;
	*granted_prot = prot;
	*token = p;
	return PP_OK;
}

static int pf_dma_complete(void *client, void *token)
{
	struct fk_prep *p = token;
	int32_t s = PP_OK;
	int st;

	(void)client;
	st = p->fn->sd->ops->dma_unmap(p->fn->sd, &p->bus, &s, 1);
	free(p);
	return st == PP_OK ? s : st;
}

static const struct pp_dext_platform fk_platform = {
	.cfg_read = pf_cfg_read,
	.cfg_write = pf_cfg_write,
	.bar_info = pf_bar_info,
	.bar_read = pf_bar_read,
	.bar_write = pf_bar_write,
	.irq_configure = pf_irq_configure,
	.irq_enable = pf_irq_enable,
	.reset = pf_reset,
	.complete_wait = pf_complete_wait,
	.lock = pf_lock,
	.unlock = pf_unlock,
	.log = pf_log,
	.dma_prepare = pf_dma_prepare,
	.dma_complete = pf_dma_complete,
};

/* The interrupt controller: sim MSI-X messages -> InterruptOccurred. */
static void *irq_thread(void *arg)
{
	struct fk_slot *s = arg;

	for (;;) {
		struct pollfd pfd[3];
		unsigned int n = 0;

		pfd[n].fd = s->stop_pipe[0];
		pfd[n++].events = POLLIN;
		for (unsigned int i = 0; i < s->nfn; i++) {
			pfd[n].fd = s->fn[i].dx ?
				    s->fn[i].sd->ops->irq_fd(s->fn[i].sd) : -1;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		for (unsigned int i = 0; i < s->nfn; i++) {
			struct fk_fn *f = &s->fn[i];
			uint64_t p[4];
			uint32_t ev;

			if (!f->dx || !pfd[1 + i].revents)
				continue;
			f->sd->ops->events(f->sd, &ev); /* drains; GONE: unplug */
			if (f->sd->ops->irq_take(f->sd, p) != PP_OK)
				continue;
			if (!atomic_load(&f->irq_enabled))
				continue;
			for (unsigned int v = 0; v < 256; v++)
				if (p[v / 64] >> (v % 64) & 1)
					pp_dext_irq_raise(f->dx, v);
		}
	}
	return NULL;
}

static void stop_irq_thread(struct fk_slot *s)
{
	if (!s->irq_running)
		return;
	if (write(s->stop_pipe[1], "x", 1) != 1)
		abort();
	pthread_join(s->irq_th, NULL);
	s->irq_running = false;
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
}

/* ---- setup ------------------------------------------------------------------------- */

int fakeiokit_init(const struct fakeiokit_opts *o)
{
	static const struct fakeiokit_opts defaults;

	if (G.up)
		return PP_ERR_INVAL;
	memset(&G.cnt, 0, sizeof(G.cnt));
	G.opts = o ? *o : defaults;
	G.nslots = G.opts.slots ? G.opts.slots : 1;
	if (G.nslots > FAKEIOKIT_MAX_SLOTS)
		return PP_ERR_INVAL;
	atomic_store(&G.ipc_dead, false);
	atomic_store(&G.tokens, 0);
	for (unsigned int si = 0; si < G.nslots; si++) {
		struct fk_slot *s = &G.slot[si];
		struct pp_host_dev_info infos[2];
		struct fk_entry *root, *bridge;
		unsigned int n = 0;
		char name[32];
		int st;

		memset(s, 0, sizeof(*s));
		s->sim = pp_host_sim_create(G.opts.sim_args, &st);
		if (!s->sim)
			return st;
		s->sim->ops->enumerate(s->sim, infos, 2, &n);
		snprintf(name, sizeof(name), "pcie-tb%u", si);
		root = add_entry(name, "IOPCIDevice", "IOService", NULL);
		bridge = add_entry("pci-bridge", "IOPCIDevice", "IOService",
				   root);
		s->nfn = n < 2 ? n : 2;
		for (unsigned int i = 0; i < s->nfn; i++) {
			struct fk_fn *f = &s->fn[i];
			struct fk_entry *nub;

			f->slot = s;
			f->info = infos[i];
			pthread_mutex_init(&f->lock, NULL);
			atomic_init(&f->irq_enabled, false);
			st = s->sim->ops->open(s->sim, infos[i].id, &f->sd);
			if (st != PP_OK)
				return st;
			nub = add_entry(i ? "audio" : "display", "IOPCIDevice",
					"IOService", bridge);
			f->dx = pp_dext_device_new(&fk_platform, f, NULL,
						   infos[i].bus, infos[i].dev,
						   infos[i].fn, nub->id, &st);
			if (!f->dx)
				continue;     /* refused (multimedia class) */
			f->svc = add_entry(G.opts.no_service_name ?
					   "IOUserService" : PP_DEXT_SERVICE_NAME,
					   "IOUserService", "IOService", nub);
			snprintf(f->svc->user_class, sizeof(f->svc->user_class),
				 "%s", PP_DEXT_USER_CLASS);
			f->svc->fn = f;
		}
		if (pipe(s->stop_pipe))
			return PP_ERR_HOST;
		if (pthread_create(&s->irq_th, NULL, irq_thread, s))
			return PP_ERR_HOST;
		s->irq_running = true;
	}
	/* Another driver's service: must not be picked up. */
	snprintf(add_entry("IOUserService", "IOUserService", "IOService",
			   NULL)->user_class, 32, "OtherDriver");
	G.up = true;
	return PP_OK;
}

void fakeiokit_unplug(unsigned int si)
{
	struct fk_slot *s;

	if (si >= G.nslots)
		return;
	s = &G.slot[si];
	stop_irq_thread(s);
	pp_sim_unplug(s->sim);
	for (unsigned int i = 0; i < s->nfn; i++) {
		struct fk_fn *f = &s->fn[i];

		if (!f->dx || f->stopped)
			continue;
		/* The shell's Stop: the core learns first, then clients. */
		pp_dext_device_gone(f->dx);
		pthread_mutex_lock(&G.lock);
		f->svc->terminated = true;
		f->stopped = true;
		for (unsigned int h = 1; h < MAX_HANDLES; h++) {
			struct fk_notif *n = G.h[h].obj;
			struct fk_msg *m;

			if (G.h[h].kind != H_NOTIF || n->e != f->svc)
				continue;
			m = calloc(1, sizeof(*m));
			if (!m)
				abort();
			m->np = n->np;
			m->interest = true;
			m->func = (uint64_t)(uintptr_t)n->cb;
			m->refcon = (uint64_t)(uintptr_t)n->refcon;
			m->result = kIOMessageServiceIsTerminated;
			m->svc = n->svc;
			post(m);
		}
		pthread_mutex_unlock(&G.lock);
		pp_dext_device_free(f->dx);   /* deferred until clients close */
	}
}

void fakeiokit_set_ipc_dead(bool dead)
{
	atomic_store(&G.ipc_dead, dead);
}

struct pp_host *fakeiokit_sim(unsigned int slot)
{
	return slot < G.nslots ? G.slot[slot].sim : NULL;
}

void fakeiokit_counts(struct fakeiokit_counts *c)
{
	pthread_mutex_lock(&G.lock);
	*c = G.cnt;
	c->handles = c->connections = 0;
	for (unsigned int i = 1; i < MAX_HANDLES; i++) {
		if (G.h[i].kind != H_FREE)
			c->handles++;
		if (G.h[i].kind == H_CONN)
			c->connections++;
	}
	c->mappings = 0;
	for (struct fk_map *m = G.maps; m; m = m->next)
		c->mappings++;
	pthread_mutex_unlock(&G.lock);
	c->cf_objects = atomic_load(&live_cf);
	c->queues = atomic_load(&live_queues);
	c->tokens = atomic_load(&G.tokens);
}

unsigned int fakeiokit_fini(void)
{
	struct fakeiokit_counts c;
	unsigned int leaks;

	if (!G.up)
		return 0;
	fakeiokit_counts(&c);
	leaks = c.handles + c.mappings + c.cf_objects + c.queues + c.ports;
	/* Leftover connections close as a dying client's would. */
	for (unsigned int i = 1; i < MAX_HANDLES; i++) {
		if (G.h[i].kind == H_CONN) {
			struct fk_conn *cn = G.h[i].obj;

			pp_dext_client_close(cn->c);
			free(cn);
		} else if (G.h[i].kind == H_ITER || G.h[i].kind == H_NOTIF) {
			free(G.h[i].obj);
		}
		G.h[i].kind = H_FREE;
	}
	while (G.maps) {
		struct fk_map *m = G.maps;

		G.maps = m->next;
		m->fn->sd->ops->bar_unmap(m->fn->sd, m->bar,
					  (void *)(uintptr_t)m->addr);
		free(m);
	}
	for (unsigned int si = 0; si < G.nslots; si++) {
		struct fk_slot *s = &G.slot[si];

		stop_irq_thread(s);
		for (unsigned int i = 0; i < s->nfn; i++) {
			struct fk_fn *f = &s->fn[i];

			if (f->dx && !f->stopped)
				pp_dext_device_free(f->dx);
			if (f->sd)
				f->sd->ops->close(f->sd);
			pthread_mutex_destroy(&f->lock);
		}
		s->sim->ops->destroy(s->sim);
	}
	while (G.ports) {
		struct IONotificationPort *np = G.ports;

		G.ports = np->next;
		free(np);
	}
	for (unsigned int i = 0; i < G.nentries; i++)
		free(G.entries[i]);
	G.nentries = 0;
	G.up = false;
	return leaks;
}

/* ---- IOKitLib: objects and the registry -------------------------------------------- */

kern_return_t IOObjectRelease(io_object_t o)
{
	void *obj = NULL;
	int kind = H_FREE;

	pthread_mutex_lock(&G.lock);
	if (o > 0 && o < MAX_HANDLES && G.h[o].kind != H_FREE &&
	    G.h[o].kind != H_CONN) {
		kind = G.h[o].kind;
		obj = G.h[o].obj;
		G.h[o].kind = H_FREE;
		G.h[o].obj = NULL;
	}
	pthread_mutex_unlock(&G.lock);
	if (kind == H_FREE)
		return kIOReturnBadArgument;
	if (kind == H_ITER || kind == H_NOTIF)
		free(obj);
	return KERN_SUCCESS;
}

boolean_t IOObjectConformsTo(io_object_t o, const char *cls)
{
	struct fk_entry *e = h_get(o, H_ENTRY);

	if (!e)
		return 0;
	for (unsigned int i = 0; i < 3 && e->cls[i]; i++)
		if (!strcmp(e->cls[i], cls))
			return 1;
	return 0;
}

kern_return_t IORegistryEntryGetName(io_registry_entry_t o, io_name_t name)
{
	struct fk_entry *e = h_get(o, H_ENTRY);

	if (!e)
		return kIOReturnBadArgument;
	snprintf(name, sizeof(io_name_t), "%s", e->name);
	return KERN_SUCCESS;
}

kern_return_t IORegistryEntryGetRegistryEntryID(io_registry_entry_t o,
						uint64_t *id)
{
	struct fk_entry *e = h_get(o, H_ENTRY);

	if (!e)
		return kIOReturnBadArgument;
	*id = e->id;
	return KERN_SUCCESS;
}

kern_return_t IORegistryEntryGetParentEntry(io_registry_entry_t o,
					    const char *plane,
					    io_registry_entry_t *parent)
{
	struct fk_entry *e = h_get(o, H_ENTRY);

	if (!e || strcmp(plane, kIOServicePlane))
		return kIOReturnBadArgument;
	if (!e->parent)
		return kIOReturnNoDevice;     /* the plane's root */
	*parent = h_new(H_ENTRY, e->parent);
	return KERN_SUCCESS;
}

CFTypeRef IORegistryEntryCreateCFProperty(io_registry_entry_t o,
					  CFStringRef key,
					  CFAllocatorRef allocator,
					  IOOptionBits options)
{
	struct fk_entry *e = h_get(o, H_ENTRY);

	(void)options;
	if (!e || !key || strcmp(key->s, "IOUserClass") || !e->user_class[0])
		return NULL;
	return CFStringCreateWithCString(allocator, e->user_class,
					 kCFStringEncodingUTF8);
}

kern_return_t IOServiceGetMatchingServices(mach_port_t mainPort,
					   CFDictionaryRef matching,
					   io_iterator_t *existing)
{
	struct fk_iter *it;

	(void)mainPort;
	if (!matching || !existing)
		return kIOReturnBadArgument;
	it = calloc(1, sizeof(*it));
	if (!it)
		return kIOReturnNoMemory;
	pthread_mutex_lock(&G.lock);
	for (unsigned int i = 0; i < G.nentries; i++) {
		struct fk_entry *e = G.entries[i];
		bool hit = false;

		if (e->terminated)
			continue;
		if (matching->by_name)
			hit = !strcmp(e->name, matching->s);
		else
			for (unsigned int k = 0; k < 3 && e->cls[k]; k++)
				hit |= !strcmp(e->cls[k], matching->s);
		if (hit)
			it->e[it->n++] = e;
	}
	pthread_mutex_unlock(&G.lock);
	CFRelease(matching);               /* consumed */
	*existing = h_new(H_ITER, it);
	return KERN_SUCCESS;
}

io_service_t IOServiceGetMatchingService(mach_port_t mainPort,
					 CFDictionaryRef matching)
{
	io_iterator_t it;
	io_service_t s;

	if (IOServiceGetMatchingServices(mainPort, matching, &it))
		return IO_OBJECT_NULL;
	s = IOIteratorNext(it);
	IOObjectRelease(it);
	return s;
}

io_object_t IOIteratorNext(io_iterator_t o)
{
	struct fk_iter *it = h_get(o, H_ITER);

	if (!it || it->pos >= it->n)
		return IO_OBJECT_NULL;
	return h_new(H_ENTRY, it->e[it->pos++]);
}

/* ---- IOKitLib: user clients --------------------------------------------------------- */

kern_return_t IOServiceOpen(io_service_t svc, task_port_t task, uint32_t type,
			    io_connect_t *connect)
{
	struct fk_entry *e = h_get(svc, H_ENTRY);
	struct fk_conn *cn;

	if (!e || !connect || task != TASK_SELF)
		return kIOReturnBadArgument;
	if (!e->fn)
		return kIOReturnUnsupported;  /* no NewUserClient */
	if (e->terminated || e->fn->stopped)
		return kIOReturnNotAttached;
	if (type != PP_DEXT_UC_TYPE)
		return kIOReturnBadArgument;
	cn = calloc(1, sizeof(*cn));
	if (!cn)
		return kIOReturnNoMemory;
	cn->fn = e->fn;
	cn->c = pp_dext_client_new(e->fn->dx, cn);
	if (!cn->c) {
		free(cn);
		return kIOReturnNoMemory;
	}
	*connect = h_new(H_CONN, cn);
	return KERN_SUCCESS;
}

kern_return_t IOServiceClose(io_connect_t conn)
{
	struct fk_conn *cn;

	pthread_mutex_lock(&G.lock);
	cn = conn > 0 && conn < MAX_HANDLES && G.h[conn].kind == H_CONN ?
	     G.h[conn].obj : NULL;
	if (cn) {
		G.h[conn].kind = H_FREE;
		G.h[conn].obj = NULL;
	}
	pthread_mutex_unlock(&G.lock);
	if (!cn)
		return kIOReturnBadArgument;
	/* clientClose -> Stop: the core releases (aborting the wait).  The
	 * kernel keeps any mapping of this connection alive. */
	pp_dext_client_close(cn->c);
	free(cn);
	return KERN_SUCCESS;
}

static kern_return_t call(mach_port_t conn, uint32_t sel,
			  const uint64_t *in, uint32_t nin,
			  const void *sin, size_t sin_size,
			  uint64_t *out, uint32_t *nout,
			  void *sout, size_t *sout_size, void *completion)
{
	struct fk_conn *cn = h_get(conn, H_CONN);
	uint8_t buf[PP_DEXT_INLINE_MAX];
	uint64_t sbuf[16];
	struct pp_dext_args a;
	int st;

	if (atomic_load(&G.ipc_dead))
		return MACH_SEND_INVALID_DEST;
	if (!cn)
		return MACH_SEND_INVALID_DEST;
	if (nin > 16 || (nout && *nout > 16))
		return kIOReturnBadArgument;
	/* The ABI keeps structures inline; larger ones would arrive as an
	 * out-of-line descriptor, which the dext refuses. */
	if (sin_size > PP_DEXT_INLINE_MAX ||
	    (sout_size && *sout_size > PP_DEXT_INLINE_MAX))
		return kIOReturnBadArgument;
	pthread_mutex_lock(&G.lock);
	if (sel < PP_DEXT_SEL_COUNT)
		G.cnt.calls[sel]++;
	if (sin_size > G.cnt.max_struct_in)
		G.cnt.max_struct_in = sin_size;
	if (sel == PP_DEXT_SEL_DMA_MAP && nin == 1 &&
	    in[0] > G.cnt.max_map_batch)
		G.cnt.max_map_batch = in[0];
	if (sel == PP_DEXT_SEL_DMA_UNMAP && nin == 1 &&
	    in[0] > G.cnt.max_unmap_batch)
		G.cnt.max_unmap_batch = in[0];
	pthread_mutex_unlock(&G.lock);
	memset(&a, 0, sizeof(a));
	a.scalar_in = in;
	a.scalar_in_count = nin;
	a.struct_in = sin_size ? sin : NULL;
	a.struct_in_size = sin_size;
	a.scalar_out = sbuf;
	a.scalar_out_count = nout ? *nout : 0;
	a.struct_out = buf;
	a.struct_out_size = sout_size ? *sout_size : 0;
	a.completion = completion;
	st = pp_dext_dispatch(cn->c, sel, &a);
	if (st == PP_OK) {
		if (nout) {
			memcpy(out, sbuf, a.scalar_out_count * sizeof(*out));
			*nout = a.scalar_out_count;
		}
		if (sout_size) {
			memcpy(sout, buf, a.struct_out_size);
			*sout_size = a.struct_out_size;
		}
	}
	return (kern_return_t)pp_dext_status_to_ioreturn(st);
}

kern_return_t IOConnectCallMethod(mach_port_t c, uint32_t sel,
				  const uint64_t *in, uint32_t nin,
				  const void *sin, size_t sin_size,
				  uint64_t *out, uint32_t *nout, void *sout,
				  size_t *sout_size)
{
	return call(c, sel, in, nin, sin, sin_size, out, nout, sout,
		    sout_size, NULL);
}

kern_return_t IOConnectCallScalarMethod(mach_port_t c, uint32_t sel,
					const uint64_t *in, uint32_t nin,
					uint64_t *out, uint32_t *nout)
{
	return call(c, sel, in, nin, NULL, 0, out, nout, NULL, NULL, NULL);
}

kern_return_t IOConnectCallStructMethod(mach_port_t c, uint32_t sel,
					const void *sin, size_t sin_size,
					void *sout, size_t *sout_size)
{
	return call(c, sel, NULL, 0, sin, sin_size, NULL, NULL, sout,
		    sout_size, NULL);
}

kern_return_t IOConnectCallAsyncMethod(mach_port_t c, uint32_t sel,
				       mach_port_t wake_port,
				       uint64_t *reference,
				       uint32_t referenceCnt,
				       const uint64_t *in, uint32_t nin,
				       const void *sin, size_t sin_size,
				       uint64_t *out, uint32_t *nout,
				       void *sout, size_t *sout_size)
{
	struct IONotificationPort *np = port_by_mach(wake_port);
	struct fk_token *t;
	kern_return_t kr;

	if (!np || !reference || referenceCnt < kIOAsyncCalloutCount ||
	    referenceCnt > kOSAsyncRef64Count)
		return kIOReturnBadArgument;
	t = calloc(1, sizeof(*t));
	if (!t)
		return kIOReturnNoMemory;
	t->np = np;
	t->func = reference[kIOAsyncCalloutFuncIndex];
	t->refcon = reference[kIOAsyncCalloutRefconIndex];
	atomic_fetch_add(&G.tokens, 1);
	kr = call(c, sel, in, nin, sin, sin_size, out, nout, sout, sout_size,
		  t);
	if (kr != kIOReturnSuccess) {
		atomic_fetch_sub(&G.tokens, 1);
		free(t);                       /* still ours */
	}
	return kr;
}

kern_return_t IOConnectCallAsyncScalarMethod(mach_port_t c, uint32_t sel,
					     mach_port_t wake_port,
					     uint64_t *reference,
					     uint32_t referenceCnt,
					     const uint64_t *in, uint32_t nin,
					     uint64_t *out, uint32_t *nout)
{
	return IOConnectCallAsyncMethod(c, sel, wake_port, reference,
					referenceCnt, in, nin, NULL, 0, out,
					nout, NULL, NULL);
}

kern_return_t IOServiceAddInterestNotification(IONotificationPortRef np,
					       io_service_t svc,
					       const char *type,
					       IOServiceInterestCallback cb,
					       void *refcon,
					       io_object_t *notification)
{
	struct fk_entry *e = h_get(svc, H_ENTRY);
	struct fk_notif *n;

	if (!e || !np || !cb || !notification ||
	    strcmp(type, kIOGeneralInterest))
		return kIOReturnBadArgument;
	n = calloc(1, sizeof(*n));
	if (!n)
		return kIOReturnNoMemory;
	n->np = np;
	n->e = e;
	n->cb = cb;
	n->refcon = refcon;
	n->svc = svc;
	*notification = h_new(H_NOTIF, n);
	return KERN_SUCCESS;
}

/* ---- memory mapping ---------------------------------------------------------------- */

kern_return_t IOConnectMapMemory64(io_connect_t conn, uint32_t type,
				   task_port_t task, mach_vm_address_t *addr,
				   mach_vm_size_t *size, IOOptionBits options)
{
	struct fk_conn *cn = h_get(conn, H_CONN);
	struct fk_map *m;
	uint8_t idx;
	uint64_t bsize, len;
	void *ptr;
	int st;

	if (atomic_load(&G.ipc_dead))
		return MACH_SEND_INVALID_DEST;
	if (!cn || task != TASK_SELF || !addr || !size)
		return kIOReturnBadArgument;
	if (!(options & kIOMapAnywhere))
		return kIOReturnBadArgument;  /* the fake cannot place it */
	pthread_mutex_lock(&G.lock);
	G.cnt.map_calls++;
	G.cnt.last_map_options = options;
	pthread_mutex_unlock(&G.lock);
	/* CopyClientMemoryForType */
	st = pp_dext_map_type(cn->c, type, &idx, &bsize);
	if (st != PP_OK)
		return (kern_return_t)pp_dext_status_to_ioreturn(st);
	if (cn->fn->sd->ops->bar_map(cn->fn->sd, idx, &ptr, &len) != PP_OK)
		return kIOReturnUnsupported;  /* the sim's trap-only BAR */
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->conn = conn;
	m->type = type;
	m->fn = cn->fn;
	m->bar = idx;
	m->addr = (mach_vm_address_t)(uintptr_t)ptr;
	m->size = len;
	m->options = options;
	pthread_mutex_lock(&G.lock);
	m->next = G.maps;
	G.maps = m;
	pthread_mutex_unlock(&G.lock);
	*addr = m->addr;
	*size = m->size;
	return KERN_SUCCESS;
}

static struct fk_map *take_map(io_connect_t conn, uint32_t type,
			       mach_vm_address_t addr, bool any_conn)
{
	struct fk_map **pp, *m = NULL;

	pthread_mutex_lock(&G.lock);
	for (pp = &G.maps; *pp; pp = &(*pp)->next)
		if ((*pp)->addr == addr &&
		    (any_conn || ((*pp)->conn == conn && (*pp)->type == type))) {
			m = *pp;
			*pp = m->next;
			break;
		}
	pthread_mutex_unlock(&G.lock);
	return m;
}

kern_return_t IOConnectUnmapMemory64(io_connect_t conn, uint32_t type,
				     task_port_t task, mach_vm_address_t addr)
{
	struct fk_conn *cn = h_get(conn, H_CONN);
	struct fk_map *m;
	uint8_t idx;
	uint64_t bsize;
	int st;

	pthread_mutex_lock(&G.lock);
	G.cnt.unmap_calls++;
	pthread_mutex_unlock(&G.lock);
	if (atomic_load(&G.ipc_dead))
		return MACH_SEND_INVALID_DEST;
	if (!cn || task != TASK_SELF)
		return kIOReturnBadArgument;
	/* XNU asks CopyClientMemoryForType again to find the descriptor. */
	st = pp_dext_map_type(cn->c, type, &idx, &bsize);
	if (st != PP_OK) {
		pthread_mutex_lock(&G.lock);
		G.cnt.unmap_refused++;
		pthread_mutex_unlock(&G.lock);
		return (kern_return_t)pp_dext_status_to_ioreturn(st);
	}
	m = take_map(conn, type, addr, false);
	if (!m)
		return kIOReturnBadArgument;
	m->fn->sd->ops->bar_unmap(m->fn->sd, m->bar,
				  (void *)(uintptr_t)m->addr);
	free(m);
	return KERN_SUCCESS;
}

kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t addr,
				 mach_vm_size_t size)
{
	struct fk_map *m;

	(void)size;
	if (target != TASK_SELF)
		return KERN_INVALID_ARGUMENT;
	m = take_map(0, 0, addr, true);
	if (!m)
		return KERN_INVALID_ADDRESS;
	pthread_mutex_lock(&G.lock);
	G.cnt.deallocs++;
	pthread_mutex_unlock(&G.lock);
	m->fn->sd->ops->bar_unmap(m->fn->sd, m->bar,
				  (void *)(uintptr_t)m->addr);
	free(m);
	return KERN_SUCCESS;
}
