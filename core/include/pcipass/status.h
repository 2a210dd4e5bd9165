/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Status codes shared by every layer: the DART model, the window policy, the
 * wire protocol (they travel in little-endian u32 status fields) and the host
 * backends.  0 is success; every failure has its own code so that a log line
 * or a test can say exactly what was refused.
 */
#ifndef PCIPASS_STATUS_H
#define PCIPASS_STATUS_H

enum pp_status {
	PP_OK           = 0,
	PP_ERR_NOSPC    = 1,  /* DART byte cap or bus-address aperture exhausted */
	PP_ERR_TOOMANY  = 2,  /* DART live-mapping cap exhausted */
	PP_ERR_INVAL    = 3,  /* malformed argument not covered below */
	PP_ERR_RANGE    = 4,  /* address range not inside guest RAM */
	PP_ERR_OVERFLOW = 5,  /* address + length wraps around */
	PP_ERR_ALIGN    = 6,  /* misaligned address or length */
	PP_ERR_BADOP    = 7,  /* unknown operation */
	PP_ERR_NOENT    = 8,  /* handle never issued, or already unmapped */
	PP_ERR_COUNT    = 9,  /* entry count zero or over the limit */
	PP_ERR_VERSION  = 10, /* protocol version not supported */
	PP_ERR_SPLIT    = 11, /* host mapped the range as several segments */
	PP_ERR_HOST     = 12, /* host backend failure (device gone, I/O error) */
	PP_ERR_NOMEM    = 13, /* allocation failed while building state */
	PP_ERR_FAULT    = 14, /* translation fault: unmapped, past the end, denied */
	PP_ERR_RESERVED = 15, /* reserved field or flag bit not zero */
	PP_ERR_NOTREADY = 16, /* operation before setup (caps not negotiated) */
	PP_STATUS_COUNT
};

/* Short stable name of a status, for logs and key=value output. */
const char *pp_status_name(int status);

#endif
