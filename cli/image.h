/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: the image store (docs/cli.md, "Images").
 *
 *   images/NAME/disk.qcow2    base disk (never written: VMs get overlays)
 *   images/NAME/vmlinuz       kernel and initramfs for direct boot
 *   images/NAME/initrd.img
 *   images/NAME/image.json    {"format":1, "name", "user", "root",
 *                              "source", "created", "files": {"disk.qcow2":
 *                              {"size": N, "sha256": HEX}, ...}}
 *   images/NAME/id_ed25519    the login key (images built here; optional)
 *
 * A bundle (what `image import` takes from a file or URL) is a tar of those
 * files.  Partial downloads and half-imported images live in images/.partial
 * and images/.tmp-* and never look like an image.
 */
#ifndef PCIPASS_CLI_IMAGE_H
#define PCIPASS_CLI_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

#define PP_DEFAULT_IMAGE "default"

struct pp_image {
	char *name;
	char *dir;
	char *disk, *kernel, *initrd;
	char *key;          /* private key path, NULL if the image has none */
	char *user;         /* login user ("pcipass") */
	char *root;         /* root= argument ("LABEL=pcipass-root") */
	uint64_t disk_size; /* bytes, as recorded at import */
};

/*
 * Opens an installed image by name and checks it is whole: every file
 * present, sizes as recorded in image.json (a truncated disk is refused).
 * 0, -ENOENT (not installed: *why says so) or -EINVAL (damaged: *why says
 * what).  *why is a static or allocated message the caller prints.
 * (Currently always allocated, NULL on success: free() it or not.)
 * name NULL means PP_DEFAULT_IMAGE.
 */
int pp_image_open(const struct pp_paths *p, const char *name,
		  struct pp_image *img, char **why);
void pp_image_free(struct pp_image *img);

/* Names of the installed images (directories under images/), sorted,
 * appended to *names: 0 or -errno. */
int pp_image_list_names(const struct pp_paths *p, struct strvec *names);

/*
 * The VMs that use image name, appended to *vms (sorted): those whose
 * vms/VM/vm.json says {"image": name} and those whose overlay
 * vms/VM/disk.qcow2 has the image's disk.qcow2 as backing file.  0, or
 * -EIO when some overlay could not be read (*why says which, allocated):
 * then the image may be in use, and must be treated as such.
 */
int pp_image_users(const struct pp_paths *p, const char *name,
		   struct strvec *vms, char **why);

/*
 * Shared lock on the store while a VM's overlay is made on an image (so a
 * prune cannot remove the base in between): the fd to close, or -1 with an
 * error printed (a build, import or prune holds it for longer than 10 s).
 */
int pp_image_store_lock_shared(const struct pp_paths *p);

#endif
