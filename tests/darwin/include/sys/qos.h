/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): <sys/qos.h>, the QoS
 * classes with the values documented in libpthread's qos.h
 * (USER_INTERACTIVE 0x21 ... BACKGROUND 0x09).  Not Apple's header.
 */
#ifndef PP_DARWIN_SYS_QOS_H
#define PP_DARWIN_SYS_QOS_H

#include <os/base.h>

OS_ENUM(qos_class, unsigned int,
	QOS_CLASS_USER_INTERACTIVE = 0x21,
	QOS_CLASS_USER_INITIATED   = 0x19,
	QOS_CLASS_DEFAULT          = 0x15,
	QOS_CLASS_UTILITY          = 0x11,
	QOS_CLASS_BACKGROUND       = 0x09,
	QOS_CLASS_UNSPECIFIED      = 0x00,
);

#define QOS_MIN_RELATIVE_PRIORITY (-15)

__BEGIN_DECLS
API_AVAILABLE(macos(10.10))
qos_class_t qos_class_self(void);
API_AVAILABLE(macos(10.10))
qos_class_t qos_class_main(void);
__END_DECLS

#endif
