#!/usr/bin/env bash
# image/lib/mkimage.sh DIR PACKAGE...: the cold build of image/build (which
# sets PP_IMG_* and owns the cache entry DIR).  Steps:
#   1. mmdebstrap trixie arm64 (minbase + PACKAGES), the overlay, the user,
#      the DKMS .deb (its postinst builds pcipass_dma and the initramfs)
#   2. ext4 from the tree with mke2fs -d at a 1 MiB offset of a sparse file,
#      GPT label by sfdisk (no loop device, no mount)
#   3. compressed qcow2, kernel and initramfs next to it
set -euo pipefail
dir=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
t0=${PP_IMG_T0:-$(date +%s)}
say() { printf '[image %4ss] %s\n' "$(($(date +%s) - t0))" "$*" >&2; }
log=$dir/build.log
work=$dir/work
mkdir -p "$work"
. "$here/../../testbed/pins"

cat >"$work/sources.list" <<EOS
deb $PP_DEBIAN_MIRROR $PP_IMG_SUITE main
deb $PP_DEBIAN_MIRROR $PP_IMG_SUITE-updates main
deb $PP_DEBIAN_SECURITY_MIRROR $PP_IMG_SUITE-security main
EOS
if [ -n "$PP_IMG_PUBKEY" ]; then
	cp "$PP_IMG_PUBKEY" "$dir/authorized_keys"
else
	ssh-keygen -q -t ed25519 -N '' -C "pcipass-image" -f "$dir/id_ed25519"
	cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
fi
include=$(IFS=,; echo "$*")
debname=$(basename "$PP_IMG_DEB")
export PP_IMG_USER PP_IMG_KVER PP_IMG_DEBNAME=$debname PP_IMG_PUBKEYFILE=$dir/authorized_keys
# Smaller image: no docs except copyrights, no man pages, no translations.
nodoc=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*'
	--dpkgopt='path-include=/usr/share/locale/locale.alias')
if [ "$PP_IMG_MODE" = root ]; then target=$work/rootfs fmt=directory; else target=$work/rootfs.tar fmt=tar; fi
say "mmdebstrap --mode=$PP_IMG_MODE $PP_IMG_SUITE arm64 ($# packages + minbase; the longest step: dpkg runs under qemu-user)"
mmdebstrap --mode="$PP_IMG_MODE" --variant=minbase --architectures=arm64 --format="$fmt" \
	--include="$include" "${nodoc[@]}" \
	--customize-hook="sync-in '$here/../overlay' /" \
	--customize-hook="copy-in '$PP_IMG_DEB' /tmp" \
	--customize-hook="sh '$here/customize.sh' \"\$1\"" \
	--customize-hook="copy-out /boot/vmlinuz-$PP_IMG_KVER /boot/initrd.img-$PP_IMG_KVER /tmp/manifest '$work'" \
	--customize-hook='rm -f "$1/tmp/manifest"' \
	"$PP_IMG_SUITE" "$target" "$work/sources.list" 2>&1 | tee -a "$log" |
	grep --line-buffered -E '^(I: (downloading|extracting|installing|running|cleaning)|E:|W:|\[customize\]|Building|DKMS|Error|.*pcipass)' | sed -u 's/^/    /' >&2 || true
[ "${PIPESTATUS[0]}" = 0 ] || { say "mmdebstrap failed, see $log"; exit 1; }
mv "$work/vmlinuz-$PP_IMG_KVER" "$dir/vmlinuz"
mv "$work/initrd.img-$PP_IMG_KVER" "$dir/initrd.img"
mv "$work/manifest" "$dir/manifest"

say "ext4 + GPT in a sparse $PP_IMG_SIZE file"
raw=$work/disk.raw
rm -f "$raw"
truncate -s "$PP_IMG_SIZE" "$raw"
printf 'label: gpt\nstart=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=pcipass-root\n' |
	sfdisk -q "$raw" >>"$log" 2>&1
read -r pstart psize < <(sfdisk -J "$raw" | python3 -c 'import json,sys; p=json.load(sys.stdin)["partitiontable"]["partitions"][0]; print(p["start"], p["size"])' 2>/dev/null ||
	sfdisk -d "$raw" | sed -n 's/.*start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')
mkfs() { mke2fs -q -F -t ext4 -L pcipass-root -E "offset=$((pstart * 512)),nodiscard" -d "$1" "$raw" "$((psize / 2))k"; }
if [ "$PP_IMG_MODE" = root ]; then
	mkfs "$work/rootfs" >>"$log" 2>&1
else
	# Rootless: unpack the tarball inside a user namespace (ids mapped from
	# /etc/subuid), so mke2fs -d records root-owned files as uid 0.
	export -f mkfs; export raw pstart psize
	unshare --map-auto --map-root-user --mount bash -c '
		mkdir "$0/rootfs" && tar -C "$0/rootfs" --numeric-owner -xf "$0/rootfs.tar" &&
		mkfs "$0/rootfs" && rm -rf "$0/rootfs"' "$work" >>"$log" 2>&1
fi
say "qcow2 (compressed)"
qemu-img convert -c -O qcow2 "$raw" "$dir/disk.qcow2"
echo "root=LABEL=pcipass-root rw console=ttyAMA0" >"$dir/cmdline"
if [ "$PP_IMG_MODE" = root ]; then rm -rf "$work"; else unshare --map-auto --map-root-user rm -rf "$work"; fi
say "image: $(du -h "$dir/disk.qcow2" | cut -f1) qcow2 (virtual $PP_IMG_SIZE), kernel $(du -h "$dir/vmlinuz" | cut -f1), initramfs $(du -h "$dir/initrd.img" | cut -f1)"
