# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced inside the sysroot overlay by the dkms and module-amd64 tests:
# `dpkg --purge` of pcipass-dma-dkms must remove the module it built ($ko),
# the DKMS tree, the sources ($ver) and the conffiles.  $tag is the log
# prefix (a variable: dash ignores arguments to `.`).
echo "[$tag/chroot] dpkg --purge"
dpkg --purge pcipass-dma-dkms
[ ! -e "$ko" ] || { echo "module still installed after purge"; exit 1; }
[ ! -e "/usr/src/pcipass-dma-$ver" ] || { echo "/usr/src/pcipass-dma-$ver left after purge"; exit 1; }
[ -z "$(dkms status pcipass-dma)" ] || { echo "dkms still knows pcipass-dma"; exit 1; }
[ ! -e /etc/modprobe.d/pcipass-dma.conf ] || { echo "conffile left after purge"; exit 1; }
echo "[$tag/chroot] purge removed the module, the dkms tree, the sources and the conffiles"
