/*
 * pcipass: QOM helpers shared by the pcipass devices.
 *
 * Read-only uint64 statistics: a device names its counters in a table
 * indexed by its own enum and reads them with one function taking that
 * index; pcipass_qom_add_stats() registers one class property per name
 * (qom-get, "info pcipass", "pcipass status").
 *
 * Copyright (c) 2026 The pcipass authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCIPASS_PCIPASS_QOM_H
#define HW_PCIPASS_PCIPASS_QOM_H

#include "qapi/visitor.h"
#include "qom/object.h"

/* Reads counter @which (an index into the device's name table) of @obj. */
typedef uint64_t PCIPassStatFn(Object *obj, unsigned int which);

typedef struct PCIPassStatProp {
    PCIPassStatFn *get;
    unsigned int which;
} PCIPassStatProp;

static inline void pcipass_qom_get_stat(Object *obj, Visitor *v,
                                        const char *name, void *opaque,
                                        Error **errp)
{
    const PCIPassStatProp *sp = opaque;
    uint64_t val = sp->get(obj, sp->which);

    visit_type_uint64(v, name, &val, errp);
}

/*
 * Adds a read-only "uint64" property names[i] for each of the @n names,
 * read as get(obj, i).  Like object_class_property_add_str(), the opaques
 * live as long as the class, i.e. for good.
 */
static inline void pcipass_qom_add_stats(ObjectClass *klass,
                                         const char *const *names,
                                         unsigned int n, PCIPassStatFn *get)
{
    PCIPassStatProp *sp = g_new(PCIPassStatProp, n);
    unsigned int i;

    for (i = 0; i < n; i++) {
        sp[i] = (PCIPassStatProp) { .get = get, .which = i };
        object_class_property_add(klass, names[i], "uint64",
                                  pcipass_qom_get_stat, NULL, NULL, &sp[i]);
        object_class_property_set_description(klass, names[i],
                                              "read-only state (qom-get)");
    }
}

#endif /* HW_PCIPASS_PCIPASS_QOM_H */
