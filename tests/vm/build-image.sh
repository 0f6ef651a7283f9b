#!/bin/bash
# tests/vm/build-image.sh CACHEDIR: build (once) the kernel + initramfs that
# the real-USB VM tests boot.  Prints the cache directory's image.env on
# success; exits 77 with "SKIP: ..." when the image cannot be built here
# (no apt access, no busybox-static), 1 on a real failure.
#
# Why a VM at all
# ---------------
# The build hosts have no USB controller and no sound card, yet uacd's libusb
# path must be proven against a USB audio device that nobody on the team
# wrote.  QEMU's emulated usb-audio (46f4:0002, UAC1 full speed, synchronous
# iso OUT, 48 kHz S16 stereo, feature-unit volume/mute) behind an emulated
# xHCI is that device, and QEMU's "wav" audiodev records, on the host, exactly
# the bytes the device received.  The guest runs a real Linux USB stack, so
# usbfs, snd-usb-audio, detaching, disconnects and re-enumeration are the
# kernel's own, not a simulation.
#
# Why TCG and not KVM
# -------------------
# /dev/kvm exists on these machines, but they are themselves VMs and nested
# KVM hangs at boot (see ../shared/VM-NOTES.md).  TCG (-machine q35,accel=tcg
# -cpu max) boots a Debian kernel with a busybox initramfs in about 2 s and
# plays audio in real time: the device consumes 1 ms packets driven by
# QEMU's virtual clock, so a 10 s file takes ~10 s either way.  Timing is not
# what these tests measure; bit-exactness, gain and error paths are.
#
# Why the host's root filesystem over 9p
# --------------------------------------
# Building a guest userland (debootstrap, an ext4 image with aplay, alsa-lib,
# libusb, liburcu, libyaml, fftw, libsndfile...) would take minutes, need
# network, and drift from what the project was built against.  Instead the
# guest mounts the HOST root read-only over virtio-9p
# (-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on),
# mounts fresh /proc, /sys, devtmpfs /dev, tmpfs /tmp and /run on top, and
# chroots into it.  The guest therefore runs the host's own aplay/amixer and,
# at the same absolute paths, the build tree's uacd and ALSA plugin: no copy,
# no install, no mismatch of shared libraries.  Only the kernel differs: it
# is Debian 12's stock amd64 kernel, so snd-usb-audio and xhci are exactly
# what Debian users run.  A second, writable 9p share (mount_tag=vmshare, a
# per-test host temp dir) is mounted at the SAME absolute path in the guest
# as on the host; it carries the guest script, the input WAVs, the logs and
# the exit code back out.
#
# The initramfs is only busybox plus the modules listed below and the /init
# script written here.  /init loads the modules by hand with insmod (there is
# no udev in the guest; the order comes from the kernel's own modules.dep, not
# from guesses), mounts the shares, waits for ALSA card 0, runs SCRIPT
# inside the chroot with cwd = the share (directly when it is executable, so
# its #! line picks the shell, else with /bin/sh), stores its exit
# code in SHARE/.vm-rc and powers off.  Kernel command-line parameters
# vmshare=DIR and vmscript=FILE tell it what to run (see run-vm.sh).
#
# What is cached (everything under CACHEDIR, tests use $top_builddir/vm-cache)
# ----------------------------------------------------------------------------
#   CACHEDIR/linux-image-*.deb      the downloaded Debian kernel package
#   CACHEDIR/kernel/                its dpkg -x tree, depmod'ed (removed
#                                   once the initramfs is built: 400 MB)
#   CACHEDIR/vmlinuz                the kernel to boot
#   CACHEDIR/initrd.img             the busybox initramfs (gzip'ed newc cpio)
#   CACHEDIR/image.env              KVER=..., KERNEL=..., INITRD=... for run-vm.sh
#   CACHEDIR/stamp                  sha256 of this script + kernel version:
#                                   a second run with the same stamp does nothing
# When apt names a newer kernel but cannot download it, the cached image is
# kept; with no image and no download the tests SKIP.  Delete CACHEDIR to
# force a rebuild.  Packages: qemu-system-x86 (to run it),
# busybox-static, kmod (depmod), cpio, apt (apt-get download).
set -u

cachedir=${1:?usage: build-image.sh CACHEDIR}
mkdir -p "$cachedir" || exit 1
cachedir=$(cd "$cachedir" && pwd) || exit 1

# Tests run in parallel (make -j) and share the cache: one builder at a time;
# the others wait, then find the stamp current.
exec 9> "$cachedir/.lock" || exit 1
flock 9 || exit 1

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "build-image: $*" >&2; exit 1; }

# Modules the guest needs at the top of their dependency chains; modules.dep
# supplies the rest (usbcore, snd-pcm, snd-hwdep, snd-usbmidi-lib, snd-rawmidi,
# mc, virtio, 9pnet, netfs...).  usbmon lets a test see, driver-independently,
# the iso packet sizes on the bus (debugfs usb/usbmon/1u), for the kernel
# driver and for uacd alike.
want_modules="virtio_pci 9pnet_virtio 9p xhci_pci snd_usb_audio usbmon"

busybox=/bin/busybox
[ -x "$busybox" ] || busybox=$(command -v busybox) ||
	skip "busybox not installed (apt-get install busybox-static)"
# The initramfs has no libc: busybox must be the static build.
ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' ||
	skip "$busybox is not statically linked (apt-get install busybox-static)"
command -v depmod >/dev/null || skip "depmod not found (apt-get install kmod)"
command -v cpio >/dev/null || skip "cpio not found (apt-get install cpio)"

# The kernel version: the one linux-image-amd64 depends on right now (the
# candidate), or, without apt metadata, whatever is already cached.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n1)
if [ -z "$kpkg" ]; then
	kpkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n1)
fi
if [ -z "$kpkg" ] && [ -f "$cachedir/image.env" ]; then
	. "$cachedir/image.env"
	kpkg=linux-image-$KVER
fi
[ -n "$kpkg" ] || skip "no linux-image-6.1.0-*-amd64 known to apt (no apt access?)"
kver=${kpkg#linux-image-}

stamp="$(sha256sum < "$0" | cut -d' ' -f1) $kver $(sha256sum < "$busybox" | cut -c1-16)"
if [ -f "$cachedir/stamp" ] && [ "$(cat "$cachedir/stamp")" = "$stamp" ] &&
   [ -f "$cachedir/vmlinuz" ] && [ -f "$cachedir/initrd.img" ]; then
	cat "$cachedir/image.env"
	exit 0
fi

echo "build-image: building $kver image in $cachedir" >&2

# 1. the kernel package
deb=$(ls "$cachedir"/"${kpkg}"_*.deb 2>/dev/null | head -n1)
if [ -z "$deb" ]; then
	if ! (cd "$cachedir" && apt-get download "$kpkg") >"$cachedir/apt.log" 2>&1; then
		# apt knows a newer kernel than the cached image but cannot fetch
		# it: the cached image is still a Debian 12 kernel, keep using it
		if [ -f "$cachedir/image.env" ] && [ -f "$cachedir/vmlinuz" ] &&
		   [ -f "$cachedir/initrd.img" ] && [ -f "$cachedir/stamp" ]; then
			echo "build-image: cannot download $kpkg, keeping the cached image" >&2
			cat "$cachedir/image.env"
			exit 0
		fi
		skip "cannot download $kpkg with apt-get download (no apt access?): $(tail -n1 "$cachedir/apt.log")"
	fi
	# a new kernel replaces the old package
	for old in "$cachedir"/linux-image-*.deb; do
		case $old in "$cachedir/${kpkg}"_*) ;; *) rm -f "$old" ;; esac
	done
	deb=$(ls "$cachedir"/"${kpkg}"_*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || skip "apt-get download $kpkg produced no .deb"
fi

rm -f "$cachedir/stamp"

# 2. unpack + depmod
rm -rf "$cachedir/kernel"
dpkg -x "$deb" "$cachedir/kernel" || die "dpkg -x $deb failed"
kdir=$cachedir/kernel/lib/modules/$kver
[ -d "$kdir" ] || die "no $kdir in $deb"
depmod -b "$cachedir/kernel" "$kver" || die "depmod failed"
cp "$cachedir/kernel/boot/vmlinuz-$kver" "$cachedir/vmlinuz.new" || die "no vmlinuz in $deb"

# 3. load order from modules.dep: a module's dependencies, as modprobe does,
# are loaded in the reverse of the order modules.dep lists them, then itself.
# modules.dep names files (dashes); module names may use underscores.
declare -A seen=()
order=()
dep_line() { grep -m1 -E "/$1\.ko(\.[a-z]+)?:" "$kdir/modules.dep"; }
add_module() {
	local name=$1 line path deps i
	line=$(dep_line "$name")
	[ -n "$line" ] || line=$(dep_line "${name//_/-}")
	[ -n "$line" ] || line=$(dep_line "${name//-/_}")
	[ -n "$line" ] || die "module $name not in modules.dep of $kver"
	path=${line%%:*}
	[ -n "${seen[$path]:-}" ] && return 0
	seen[$path]=1
	read -r -a deps <<< "${line#*:}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add_module "$(basename "${deps[i]%%.ko*}")"
	done
	order+=("$path")
}
for m in $want_modules; do
	add_module "$m"
done

# 4. the initramfs tree
root=$cachedir/initramfs.tmp
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,host,lib/modules,etc} || die "mkdir failed"
cp "$busybox" "$root/bin/busybox" || die "cp busybox failed"
ln -s busybox "$root/bin/sh"
: > "$root/modules.load"
for p in "${order[@]}"; do
	mkdir -p "$root/lib/modules/$(dirname "$p")"
	case $p in
	*.ko) cp "$kdir/$p" "$root/lib/modules/$p" ;;
	*.ko.xz) xz -dc "$kdir/$p" > "$root/lib/modules/${p%.xz}"; p=${p%.xz} ;;
	*.ko.zst) zstd -qdc "$kdir/$p" > "$root/lib/modules/${p%.zst}"; p=${p%.zst} ;;
	*) die "unknown module format $p" ;;
	esac || die "copying $p failed"
	echo "$p" >> "$root/modules.load"
done

cat > "$root/init" <<'EOF'
#!/bin/sh
# uacd VM test guest init (generated by tests/vm/build-image.sh).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo 1 > /proc/sys/kernel/printk_ratelimit 2>/dev/null
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "vm-init[$(up)]: $*"; }
fail() { say "$*"; sync; poweroff -f; }

vmshare= vmscript= vmnocard= vmbind=
for a in $(cat /proc/cmdline); do
	case $a in
	vmbind=*) vmbind=${a#vmbind=} ;;
	vmshare=*) vmshare=${a#vmshare=} ;;
	vmscript=*) vmscript=${a#vmscript=} ;;
	vmnocard=1) vmnocard=1 ;;
	esac
done

while read -r m; do
	insmod "/lib/modules/$m" || say "insmod $m failed"
done < /modules.load
say "modules loaded"

msize=msize=262144
mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,$msize hostroot /host ||
	fail "cannot mount the host root (9p tag hostroot)"
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
# Keep a view of the host's /tmp and /run for vmbind= before hiding them.
mkdir -p /hosttmp /hostrun
mount -o bind /host/tmp /hosttmp
mount -o bind /host/run /hostrun
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
mount -t tmpfs -o mode=755 tmpfs /host/run
# Source/build trees under /tmp or /run (a CI clone) at their own paths.
for d in $(echo "$vmbind" | tr ':' ' '); do
	case "$d" in
	/tmp/*) src=/hosttmp/${d#/tmp/} ;;
	/run/*) src=/hostrun/${d#/run/} ;;
	*) continue ;;
	esac
	mkdir -p "/host$d" && mount -o bind "$src" "/host$d" || fail "cannot bind $d into the guest"
done
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
if [ -n "$vmshare" ]; then
	# Same absolute path as on the host; under /tmp or /run the mount
	# point has to be made in the fresh tmpfs, elsewhere it already
	# exists in the (read-only) host root.
	mkdir -p "/host$vmshare" 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,$msize vmshare "/host$vmshare" ||
		fail "cannot mount the share (9p tag vmshare) at $vmshare"
fi

if [ -z "$vmnocard" ]; then
	i=0
	while [ ! -e /proc/asound/card0/stream0 ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ -e /proc/asound/card0/stream0 ]; then
		say "ALSA card 0 ready: $(cat /proc/asound/card0/id)"
	else
		say "no ALSA card 0 after 10 s"
	fi
fi

if [ -z "$vmshare" ] || [ -z "$vmscript" ]; then
	fail "no vmshare=/vmscript= on the kernel command line"
fi
say "running $vmscript"
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/tmp TERM=dumb LANG=C.UTF-8 VMSHARE="$vmshare" \
	/bin/sh -c 'cd "$VMSHARE" || exit 126; [ -x "$0" ] && exec "$0"; exec /bin/sh "$0"' \
	"$vmshare/$vmscript"
rc=$?
say "script exited with $rc"
echo "$rc" > "/host$vmshare/.vm-rc"
sync
umount "/host$vmshare" 2>/dev/null
poweroff -f
EOF
chmod 755 "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 > "$cachedir/initrd.img.new" || die "cpio failed"
rm -rf "$root"
# The unpacked tree is 400 MB and only needed for the steps above.
rm -rf "$cachedir/kernel"
mv "$cachedir/vmlinuz.new" "$cachedir/vmlinuz"
mv "$cachedir/initrd.img.new" "$cachedir/initrd.img"
cat > "$cachedir/image.env" <<EOF
KVER=$kver
KERNEL=$cachedir/vmlinuz
INITRD=$cachedir/initrd.img
EOF
echo "$stamp" > "$cachedir/stamp"
cat "$cachedir/image.env"
