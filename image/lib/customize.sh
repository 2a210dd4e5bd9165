#!/bin/sh
# image/lib/customize.sh ROOT: mmdebstrap customize hook of image/build (runs
# on the build machine; arm64 programs in ROOT run through qemu-user).
# Environment: PP_IMG_USER, PP_IMG_KVER, PP_IMG_DEBNAME, PP_IMG_PUBKEYFILE.
set -eu
r=$1
echo pcipass-guest >"$r/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tpcipass-guest\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
echo 'LABEL=pcipass-root / ext4 defaults,errors=remount-ro 0 1' >"$r/etc/fstab"
# QEMU user networking's resolver (the launcher's default network).
echo 'nameserver 10.0.2.3' >"$r/etc/resolv.conf"
chroot "$r" systemctl enable systemd-networkd.service pcipass-exitrd.service pcipass-selftest.service >/dev/null 2>&1
# The login user: key only, no password; passwordless sudo.
chroot "$r" useradd -m -s /bin/bash -G sudo "$PP_IMG_USER"
chroot "$r" passwd -l "$PP_IMG_USER" >/dev/null
echo "$PP_IMG_USER ALL=(ALL) NOPASSWD:ALL" >"$r/etc/sudoers.d/90-pcipass"
chmod 0440 "$r/etc/sudoers.d/90-pcipass"
install -d -m 0700 "$r/home/$PP_IMG_USER/.ssh"
install -m 0600 "$PP_IMG_PUBKEYFILE" "$r/home/$PP_IMG_USER/.ssh/authorized_keys"
chroot "$r" chown -R "$PP_IMG_USER:$PP_IMG_USER" "/home/$PP_IMG_USER/.ssh"
# Same for a NoCloud seed, should cloud-init be added later (docs/guest-image.md).
# The DKMS package: its postinst builds pcipass_dma for the image's kernel
# (natively, gcc under qemu-user) and rebuilds that kernel's initramfs.
echo "[customize] dpkg -i $PP_IMG_DEBNAME (dkms build under qemu-user)" >&2
chroot "$r" dpkg -i "/tmp/$PP_IMG_DEBNAME" >&2
rm -f "$r/tmp/$PP_IMG_DEBNAME"
chroot "$r" dkms status >&2
[ -f "$r/lib/modules/$PP_IMG_KVER/updates/dkms/pcipass_dma.ko" ] || [ -f "$r/lib/modules/$PP_IMG_KVER/updates/dkms/pcipass_dma.ko.xz" ] ||
	{ echo "[customize] pcipass_dma.ko was not installed for $PP_IMG_KVER" >&2; exit 1; }
chroot "$r" lsinitramfs "/boot/initrd.img-$PP_IMG_KVER" >"$r/tmp/initrd.list"
for f in pcipass_dma.ko modprobe.d/pcipass-dma.conf modprobe.d/pcipass-image.conf scripts/init-top/pcipass-dma; do
	grep -q "$f" "$r/tmp/initrd.list" || { echo "[customize] $f missing from the initramfs" >&2; exit 1; }
done
grep -q '^pcipass_dma' "$r/tmp/initrd.list" 2>/dev/null || true
rm -f "$r/tmp/initrd.list"
# No shared SSH host keys (the ssh.service drop-in makes them at first boot).
rm -f "$r"/etc/ssh/ssh_host_*
chroot "$r" dpkg-query -W -f='${Package} ${Version} ${Architecture}\n' >"$r/tmp/manifest"
: >"$r/etc/machine-id"
