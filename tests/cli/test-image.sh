#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/cli/test-image.sh: `pcipass image` (cli/image.c, cli/fetch.c) on
# small fake images: import of a directory, tar bundles and URLs (served by
# tests/cli/httpd.py: resume after a cut connection, sha256 checks), list,
# path, check, prune, and the refusals (bad members, damaged disks, names in
# use).  Runs in seconds; needs python3, tar, and qemu-img (for the fake
# qcow2 and the overlay).  PCIPASS_TEST_BUILD=1 also runs `image build`
# when image/build's cache entry already exists (never builds for real).
#
# Usage: tests/cli/test-image.sh [path/to/pcipass]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pcipass=${1:-$repo/build/pcipass}
pcipass=$(cd "$(dirname "$pcipass")" && pwd)/$(basename "$pcipass")
[ -x "$pcipass" ] || { echo "not ok - $pcipass is not built (make build/pcipass)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-image-test.XXXXXX")
export PCIPASS_HOME=$T/home
images=$PCIPASS_HOME/images
pass=0 fail=0 servers=()
cleanup() {
	for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
# a private copy: the tree's build/pcipass may be relinked meanwhile
cp "$pcipass" "$T/pcipass" && pcipass=$T/pcipass

ok() { echo "ok - $*"; pass=$((pass + 1)); }
nok() { echo "not ok - $*"; fail=$((fail + 1)); [ -s "$T/err" ] && sed 's/^/#   /' "$T/err" | tail -5; }
check() { # check DESCRIPTION COMMAND...: ok if the command succeeds
	local d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
# pp ARGS...: runs pcipass, stdout in $T/out, stderr in $T/err, exit in $rc
pp() { "$pcipass" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect_rc() { # expect_rc WANT DESCRIPTION
	if [ "$rc" = "$1" ]; then ok "$2"; else nok "$2 (exit $rc, want $1)"; fi
}
no_leftovers() { # nothing half-made in the store
	! ls -d "$images"/.tmp-* >/dev/null 2>&1 &&
	{ [ ! -d "$images/.partial" ] || [ -z "$(ls -A "$images/.partial")" ]; }
}
quiet() { "$@" >/dev/null 2>&1; }
absent() { for f; do [ ! -e "$f" ] || return 1; done; }
gone() { absent "$@" && no_leftovers; } # gone PATH...: absent, and no leftovers
sha() { sha256sum "$1" | cut -d' ' -f1; }

# ---- fixtures -------------------------------------------------------------
command -v qemu-img >/dev/null || { echo "not ok - qemu-img is needed"; exit 1; }
mkfix() { # mkfix DIR
	mkdir -p "$1"
	qemu-img create -q -f qcow2 "$1/disk.qcow2" 16M
	head -c 300000 /dev/urandom >"$1/vmlinuz"
	head -c 400000 /dev/urandom >"$1/initrd.img"
	echo "-----FAKE KEY-----" >"$1/id_ed25519"
	echo "ssh-ed25519 AAAAfake test" >"$1/id_ed25519.pub"
}
mkfix "$T/src"
files=(disk.qcow2 vmlinuz initrd.img id_ed25519 id_ed25519.pub)
tar -C "$T/src" -cf "$T/bundle.tar" "${files[@]}"
tar -C "$T/src" -czf "$T/bundle.tar.gz" "${files[@]}"
# a bundle made with "tar -C dir ." (./ names) and a top-level directory
tar -C "$T/src" -cf "$T/dot.tar" .
tar -C "$T" -cf "$T/topdir.tar" src
mkdir -p "$T/www"
cp "$T/bundle.tar" "$T/www/img.tar"
sha "$T/www/img.tar" | sed 's/$/  img.tar/' >"$T/www/img.tar.sha256"
cp "$T/bundle.tar" "$T/www/nosum.tar"

python3 - "$T" <<'EOF'
import io, sys, tarfile
t = sys.argv[1]
def add(tf, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data)
    tf.addfile(ti, io.BytesIO(data))
src = t + "/src/"
for out, extra in (("evil.tar", "../evil"), ("abs.tar", t + "/abs-evil")):
    with tarfile.open(t + "/" + out, "w") as tf:
        for f in ("disk.qcow2", "vmlinuz", "initrd.img"):
            tf.add(src + f, arcname=f)
        add(tf, extra, b"pwned\n")
with tarfile.open(t + "/nokernel.tar", "w") as tf:
    for f in ("disk.qcow2", "initrd.img"):
        tf.add(src + f, arcname=f)
with tarfile.open(t + "/notqcow.tar", "w") as tf:
    add(tf, "disk.qcow2", b"this is not a qcow2 image" * 100)
    for f in ("vmlinuz", "initrd.img"):
        tf.add(src + f, arcname=f)
# a bundle whose image.json disagrees with its disk
import hashlib, json
with tarfile.open(t + "/badmeta.tar", "w") as tf:
    for f in ("disk.qcow2", "vmlinuz", "initrd.img"):
        tf.add(src + f, arcname=f)
    add(tf, "image.json", json.dumps({"format": 1, "user": "alice",
        "files": {"disk.qcow2": {"sha256": "1" * 64}}}).encode())
with tarfile.open(t + "/meta.tar", "w") as tf:
    for f in ("disk.qcow2", "vmlinuz", "initrd.img"):
        tf.add(src + f, arcname=f)
    h = hashlib.sha256(open(src + "disk.qcow2", "rb").read()).hexdigest()
    add(tf, "image.json", json.dumps({"format": 1, "user": "alice",
        "root": "/dev/vda1", "files": {"disk.qcow2": {"sha256": h}}}).encode())
EOF

start_server() { # start_server NAME [httpd.py options]: sets $url
	local n=$1; shift
	python3 "$here/httpd.py" --dir "$T/www" --log "$T/$n.log" \
		--port-file "$T/$n.port" "$@" >/dev/null 2>"$T/$n.err" &
	servers+=($!)
	for _ in $(seq 100); do [ -s "$T/$n.port" ] && break; sleep 0.05; done
	url=http://127.0.0.1:$(cat "$T/$n.port")
}

# ---- help -----------------------------------------------------------------
for sub in build import list path check prune; do
	pp image "$sub" --help
	if [ $rc = 0 ] && grep -q "usage: pcipass image $sub" "$T/out"; then
		ok "image $sub --help"
	else nok "image $sub --help (exit $rc)"; fi
done
pp image frobnicate; expect_rc 2 "unknown image subcommand is a usage error"

# ---- unknown image, empty store -----------------------------------------
pp image path
expect_rc 3 "image path with no images: exit 3"
check "... and says to build or import" grep -q "pcipass image build" "$T/err"

# ---- import a directory ---------------------------------------------------
pp image import "$T/src" --name dir1
expect_rc 0 "import a directory"
check "... installs every file" bash -c "for f in ${files[*]} image.json; do [ -f '$images/dir1/'\$f ] || exit 1; done"
check "... stdout is the image directory" grep -qx "$images/dir1" "$T/out"
check "... image.json records size and sha256 of the disk" python3 - "$images/dir1/image.json" "$(sha "$T/src/disk.qcow2")" "$(stat -c %s "$T/src/disk.qcow2")" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
d = m["files"]["disk.qcow2"]
assert d["sha256"] == sys.argv[2] and d["size"] == int(sys.argv[3]), d
assert m["format"] == 1 and m["name"] == "dir1" and m["user"] == "pcipass"
assert m["root"] == "LABEL=pcipass-root" and m["source"].endswith("/src") and m["created"]
assert "id_ed25519" in m["files"]
EOF
check "... the key stays private (0600)" [ "$(stat -c %a "$images/dir1/id_ed25519")" = 600 ]
check "... the source is copied, not linked" [ "$(stat -c %h "$images/dir1/disk.qcow2")" = 1 ]
check "... no leftovers" no_leftovers

# ---- bundles --------------------------------------------------------------
pp image import "$T/bundle.tar" --name tar1
expect_rc 0 "import a tar bundle"
check "... disk identical" cmp -s "$T/src/disk.qcow2" "$images/tar1/disk.qcow2"
pp image import "$T/bundle.tar.gz" --name gz1 --sha256 "$(sha "$T/bundle.tar.gz")"
expect_rc 0 "import a gzip bundle with the right --sha256"
if command -v zstd >/dev/null; then
	tar -C "$T/src" -cf - "${files[@]}" | zstd -q >"$T/bundle.tar.zst"
	pp image import "$T/bundle.tar.zst" --name=zst1
	expect_rc 0 "import a zstd bundle (--name=N form)"
	rm -rf "$images/zst1"
fi
pp image import "$T/dot.tar" --name dot1
expect_rc 0 "import a bundle of ./ names"
pp image import "$T/topdir.tar" --name top1
expect_rc 0 "import a bundle with a top-level directory"
check "... its files are at the image's top" [ -f "$images/top1/vmlinuz" ]
pp image import "$T/meta.tar" --name meta1
expect_rc 0 "import a bundle with its own image.json"
check "... its user and root are kept" python3 -c "
import json; m = json.load(open('$images/meta1/image.json'))
assert m['user'] == 'alice' and m['root'] == '/dev/vda1', m"
pp image import "$T/bundle.tar" --name bad1 --sha256 "$(printf '%064d' 7)"
expect_rc 1 "a local bundle with the wrong --sha256 is refused"
check "... saying sha256 mismatch" grep -q "sha256 mismatch: expected 0000000000000000000000000000000000000000000000000000000000000007, got $(sha "$T/bundle.tar")" "$T/err"
check "... nothing installed" [ ! -e "$images/bad1" ]
check "... no leftovers" no_leftovers

pp image import "$T/evil.tar" --name evil
expect_rc 1 "a bundle with a ../evil member is refused"
check "... naming the member" grep -q "../evil" "$T/err"
check "... nothing written outside" absent "$images/../evil" "$T/evil" "$PCIPASS_HOME/evil" "$T/home/evil"
check "... nothing installed, no leftovers" gone "$images/evil"
pp image import "$T/abs.tar" --name abs
expect_rc 1 "a bundle with an absolute member is refused"
check "... nothing written there" [ ! -e "$T/abs-evil" ]
check "... no leftovers" no_leftovers
pp image import "$T/nokernel.tar" --name nok
expect_rc 1 "a bundle without vmlinuz is refused"
check "... saying so" grep -q "no vmlinuz" "$T/err"
pp image import "$T/notqcow.tar" --name notq
expect_rc 1 "a bundle whose disk is not qcow2 is refused"
check "... nothing installed, no leftovers" gone "$images/notq"
pp image import "$T/badmeta.tar" --name badm
expect_rc 1 "a bundle whose image.json disagrees with its disk is refused"
check "... nothing installed, no leftovers" gone "$images/badm"
echo "not a tar" >"$T/junk.tar"
pp image import "$T/junk.tar" --name junk
expect_rc 1 "a file that is no tar is refused"
check "... no leftovers" no_leftovers
pp image import "$T/nonexistent" --name x
expect_rc 2 "a missing source is a usage error"
pp image import "$T/src" --name "../x"
expect_rc 2 "an invalid image name is a usage error"

# ---- existing names -------------------------------------------------------
before=$(sha "$images/tar1/image.json")
pp image import "$T/src" --name tar1
expect_rc 4 "import over an existing image without --force: exit 4"
check "... naming --force" grep -q -- "--force" "$T/err"
check "... the image is untouched" [ "$(sha "$images/tar1/image.json")" = "$before" ]
pp image import "$T/src" --name tar1 --force
expect_rc 0 "import over an existing image with --force"
check "... replaced (source is now the directory)" grep -q "\"source\": \"$T/src\"" "$images/tar1/image.json"
check "... no leftovers" no_leftovers

# ---- list / path ------------------------------------------------------------
pp image list
expect_rc 0 "image list"
check "... lists every image" bash -c "for n in dir1 tar1 gz1 dot1 top1 meta1; do grep -q \"^\$n \" '$T/out' || exit 1; done"
pp image list --json
expect_rc 0 "image list --json"
check "... is JSON with names, sizes, sources and VMs" python3 -c "
import json
j = json.load(open('$T/out'))
names = sorted(i['name'] for i in j['images'])
assert names == ['dir1', 'dot1', 'gz1', 'meta1', 'tar1', 'top1'], names
for i in j['images']:
    assert i['ok'] is True and i['disk_size'] > 0 and i['vms'] == [] and i['source'], i"
pp image path dir1
expect_rc 0 "image path NAME"
check "... prints the directory" grep -qx "$images/dir1" "$T/out"
pp image path nosuch
expect_rc 3 "image path of an unknown image: exit 3"
check "... lists the installed ones" grep -q "installed: dir1, dot1, gz1, meta1, tar1, top1" "$T/err"
pp image check nosuch
expect_rc 3 "image check of an unknown image: exit 3"
pp image check dir1 --sha256
expect_rc 0 "image check (pp_image_open) of a whole image, with --sha256"

# ---- damaged images (pp_image_open) ----------------------------------------
size=$(stat -c %s "$images/gz1/disk.qcow2")
truncate -s 1000 "$images/gz1/disk.qcow2"
pp image path gz1
expect_rc 0 "image path of a truncated image still works"
pp image check gz1
expect_rc 5 "pp_image_open refuses a truncated disk (image check: exit 5)"
check "... naming the file and both sizes" grep -q "disk.qcow2 is 1000 bytes, image.json records $size (truncated)" "$T/err"
pp image list
check "image list shows the truncated image as damaged" grep -q "DAMAGED: image 'gz1' is damaged: .*disk.qcow2 is 1000 bytes" "$T/out"
pp image list --json
check "image list --json: ok false and the problem" python3 -c "
import json
i = {i['name']: i for i in json.load(open('$T/out'))['images']}
assert i['gz1']['ok'] is False and 'truncated' in i['gz1']['problem']
assert i['dir1']['ok'] is True"
rm "$images/dot1/vmlinuz"
pp image check dot1
expect_rc 5 "pp_image_open refuses an image with a missing kernel"
check "... naming it" grep -q "vmlinuz is missing" "$T/err"
head -c 7 /dev/zero >>"$images/top1/initrd.img"
pp image check top1
expect_rc 5 "pp_image_open refuses an initrd that grew"
pp image check tar1 --sha256
expect_rc 0 "image check --sha256 of a whole image"
printf 'X' | dd of="$images/tar1/vmlinuz" bs=1 seek=10 conv=notrunc 2>/dev/null
pp image check tar1 --sha256
expect_rc 5 "image check --sha256 finds a changed byte"

# ---- URLs -------------------------------------------------------------------
start_server plain
pp image import "$url/img.tar" --name url1
expect_rc 0 "import a URL verified by URL.sha256"
check "... installed and whole" quiet "$pcipass" image check url1
check "... no .part left" no_leftovers
check "... source is the URL" grep -q "\"source\": \"$url/img.tar\"" "$images/url1/image.json"
pp image import "$url/nosum.tar" --name nosum
expect_rc 2 "a URL without .sha256 and without --sha256 is refused"
check "... saying to pass --sha256" grep -q -- "pass --sha256" "$T/err"
check "... nothing downloaded, nothing installed" gone "$images/nosum"
check "... the bundle itself was never requested" bash -c "! grep -q 'GET /nosum.tar ' '$T/plain.log'"
pp image import "$url/nosum.tar" --name nosum --sha256 "$(sha "$T/www/nosum.tar")"
expect_rc 0 "a URL without .sha256 but with --sha256"
pp image import "$url/missing.tar" --name miss --sha256 "$(sha "$T/www/nosum.tar")"
expect_rc 3 "a URL that is 404: exit 3"
check "... nothing left" gone "$images/miss"

# cut mid-way, then resume
start_server cut --cut-after 50000
pp image import "$url/img.tar" --name cut1
expect_rc 1 "a download cut mid-way fails"
check "... the error gives bytes got and expected" grep -q "cut after 50000 of $(stat -c %s "$T/www/img.tar") bytes" "$T/err"
check "... and says re-running resumes" grep -q "re-running the same command resumes" "$T/err"
check "... the .part is kept (50000 bytes)" [ "$(stat -c %s "$images/.partial/cut1.part" 2>/dev/null)" = 50000 ]
check "... nothing installed" [ ! -e "$images/cut1" ]
pp image import "$url/img.tar" --name cut1
expect_rc 0 "re-running resumes and succeeds"
check "... with a Range request from byte 50000" grep -q "GET /img.tar range=bytes=50000- -> 206" "$T/cut.log"
check "... it says it resumed" grep -q "resuming at byte 50000" "$T/err"
check "... the image is whole" quiet "$pcipass" image check cut1 --sha256
check "... the disk is the original" cmp -s "$T/src/disk.qcow2" "$images/cut1/disk.qcow2"
check "... no .part left" no_leftovers

# a server that ignores Range: restart from 0
start_server norange --cut-after 50000 --no-range
pp image import "$url/img.tar" --name nr1
expect_rc 1 "cut download from a server without Range support"
pp image import "$url/img.tar" --name nr1
expect_rc 0 "re-run against a server answering 200 to Range restarts and succeeds"
check "... the Range was sent and answered 200" grep -q "GET /img.tar range=bytes=50000- -> 200" "$T/norange.log"
check "... the image is whole" quiet "$pcipass" image check nr1 --sha256
check "... no leftovers" no_leftovers

# a .part of another URL is not resumed
mkdir -p "$images/.partial"
head -c 1000 /dev/urandom >"$images/.partial/other.part"
echo -n "http://example.invalid/x.tar" >"$images/.partial/other.url"
start_server other
pp image import "$url/img.tar" --name other
expect_rc 0 "a partial download of a different URL is discarded, not resumed"
check "... no Range request" bash -c "! grep -q 'range=bytes' '$T/other.log'"

# a .part that is already whole (a run that stopped after the download)
mkdir -p "$images/.partial"
cp "$T/www/img.tar" "$images/.partial/whole.part"
start_server whole
echo -n "$url/img.tar" >"$images/.partial/whole.url"
pp image import "$url/img.tar" --name whole
expect_rc 0 "a complete .part is verified and installed (the server answers 416)"
check "... the Range was answered 416" grep -q "range=bytes=$(stat -c %s "$T/www/img.tar")- -> 416" "$T/whole.log"
check "... no leftovers" no_leftovers

# a wrong checksum
start_server badsum --bad-sha256
pp image import "$url/img.tar" --name bad2
expect_rc 1 "a sha256 mismatch is refused: exit 1"
check "... sha256 mismatch: expected X, got Y" grep -q "sha256 mismatch: expected 0000000000000000000000000000000000000000000000000000000000000000, got $(sha "$T/www/img.tar")" "$T/err"
check "... no image dir, no .part, no .tmp-*" gone "$images/bad2" "$images/.partial/bad2.part"
pp image import "$url/img.tar" --name bad3 --sha256 "$(printf '%064d' 5)"
expect_rc 1 "a URL with the wrong --sha256 is refused"
check "... nothing left" gone "$images/bad3"
pp image import "ftp://127.0.0.1/x.tar" --name ftp
expect_rc 2 "an ftp:// URL is a usage error"

# ---- prune ------------------------------------------------------------------
export PCIPASS_HOME=$T/prune
images=$PCIPASS_HOME/images
for n in default used-json used-overlay unused both; do
	"$pcipass" image import "$T/bundle.tar" --name "$n" >/dev/null 2>&1 || nok "prune setup: import $n"
done
mkdir -p "$PCIPASS_HOME/vms/vmA" "$PCIPASS_HOME/vms/vmB" "$PCIPASS_HOME/vms/vmC"
echo '{"image": "used-json", "memory": "1G"}' >"$PCIPASS_HOME/vms/vmA/vm.json"
# vmB: an overlay only (no vm.json); vmC: vm.json says "both", overlay too
qemu-img create -q -f qcow2 -F qcow2 -b "$images/used-overlay/disk.qcow2" "$PCIPASS_HOME/vms/vmB/disk.qcow2"
echo '{"image": "both"}' >"$PCIPASS_HOME/vms/vmC/vm.json"
qemu-img create -q -f qcow2 -F qcow2 -b "$images/both/disk.qcow2" "$PCIPASS_HOME/vms/vmC/disk.qcow2"
mkdir -p "$images/.tmp-zz-12345" "$images/.partial"
echo junk >"$images/.tmp-zz-12345/disk.qcow2"
echo partial >"$images/.partial/zz.part"

pp image list
check "image list shows which VMs use an image" bash -c "grep -q '^used-json .* vmA ' '$T/out' && grep -q '^used-overlay .* vmB ' '$T/out' && grep -q '^both .* vmC ' '$T/out'"
pp image prune --dry-run
expect_rc 0 "prune --dry-run"
check "... would remove the unused image and the leftovers" bash -c "grep -q 'would remove image unused' '$T/out' && grep -q 'would remove .*/.tmp-zz-12345' '$T/out' && grep -q 'would remove .*/zz.part' '$T/out'"
check "... removes nothing" bash -c "[ -d '$images/unused' ] && [ -d '$images/.tmp-zz-12345' ] && [ -f '$images/.partial/zz.part' ]"
pp image prune
expect_rc 0 "prune"
check "... removes the unused image" [ ! -e "$images/unused" ]
check "... removes the leftovers" bash -c "[ ! -e '$images/.tmp-zz-12345' ] && [ ! -e '$images/.partial/zz.part' ]"
check "... keeps the image vm.json names, saying why" bash -c "[ -d '$images/used-json' ] && grep -q 'keeping image used-json (used by VM vmA)' '$T/out'"
check "... keeps the image an overlay is backed by, saying why" bash -c "[ -d '$images/used-overlay' ] && grep -q 'keeping image used-overlay (used by VM vmB)' '$T/out'"
check "... keeps default without --all" bash -c "[ -d '$images/default' ] && grep -q 'keeping image default (the default image' '$T/out'"
check "... the overlay still opens" quiet qemu-img info "$PCIPASS_HOME/vms/vmB/disk.qcow2"
pp image import "$T/src" --name used-overlay --force
expect_rc 4 "--force does not replace an image an overlay uses"
pp image prune --all
expect_rc 0 "prune --all"
check "... removes default" [ ! -e "$images/default" ]
check "... still keeps used images" bash -c "[ -d '$images/used-json' ] && [ -d '$images/used-overlay' ] && [ -d '$images/both' ]"
# the store lock
if command -v flock >/dev/null; then
	flock "$images/.lock" sleep 3 &
	sleep 0.3
	pp image prune
	expect_rc 4 "prune while an import holds the store lock: exit 4"
	check "... saying so" grep -q "is running" "$T/err"
	wait $!
fi
# an overlay that cannot be read: nothing may go
rm "$PCIPASS_HOME/vms/vmA/vm.json"
echo garbage >"$PCIPASS_HOME/vms/vmA/disk.qcow2"
pp image prune --all
check "an unreadable overlay keeps every image" bash -c "[ -d '$images/used-json' ] && grep -q 'keeping image used-json (cannot tell' '$T/out'"

# ---- image build (only from an existing cache entry) --------------------------
if [ "${PCIPASS_TEST_BUILD:-0}" = 1 ] &&
   entry=$("$repo/image/build" --print-entry 2>/dev/null) && [ -f "$entry/.done" ]; then
	export PCIPASS_HOME=$T/build
	pp image build --name b1
	expect_rc 0 "image build (cached entry $entry)"
	check "... installs the entry's disk" cmp -s "$entry/disk.qcow2" "$PCIPASS_HOME/images/b1/disk.qcow2"
	check "... with its key" [ -f "$PCIPASS_HOME/images/b1/id_ed25519" ]
	check "... source names the entry" grep -q "image/build $entry" "$PCIPASS_HOME/images/b1/image.json"
	check "... image check" quiet "$pcipass" image check b1
	check "... no leftovers" bash -c "! ls -d '$PCIPASS_HOME/images/'.tmp-* 2>/dev/null"
	pp image build --name b1
	expect_rc 0 "image build again with the same inputs: up to date"
	check "... says so" grep -q "up to date" "$T/err"
	# an image imported from elsewhere is not replaced by a build without --force
	# (one image/build made would be rebuilt in place: not tried, 20 minutes)
	quiet "$pcipass" image import "$PCIPASS_HOME/images/b1" --name b2
	pp image build --name b2
	expect_rc 4 "image build over an imported image without --force"
	check "... names --force" grep -q -- "--force" "$T/err"
else
	echo "ok - image build # SKIP (PCIPASS_TEST_BUILD=1 and a cached image/build entry needed)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
