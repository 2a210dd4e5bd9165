/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): <pthread/qos.h>, from
 * libpthread's documented interface.  Note its contract, which pcipass's
 * vCPU priority code depends on: a later pthread_setschedparam() on the
 * thread unsets the QoS class and opts the thread out of QoS for good
 * (pthread_set_qos_class_self_np then fails with EPERM).  Not Apple's
 * header.
 */
#ifndef PP_DARWIN_PTHREAD_QOS_H
#define PP_DARWIN_PTHREAD_QOS_H

#include <pthread.h>
#include <sys/qos.h>

__BEGIN_DECLS
API_AVAILABLE(macos(10.10))
int pthread_attr_set_qos_class_np(pthread_attr_t *__attr,
				  qos_class_t __qos_class,
				  int __relative_priority);
API_AVAILABLE(macos(10.10))
int pthread_attr_get_qos_class_np(pthread_attr_t *__attr,
				  qos_class_t *__qos_class,
				  int *__relative_priority);
API_AVAILABLE(macos(10.10))
int pthread_set_qos_class_self_np(qos_class_t __qos_class,
				  int __relative_priority);
API_AVAILABLE(macos(10.10))
int pthread_get_qos_class_np(pthread_t __pthread, qos_class_t *__qos_class,
			     int *__relative_priority);
__END_DECLS

#endif
