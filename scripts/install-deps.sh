#!/bin/sh
# Install everything uacd needs to build, run and test on Debian 12 (as root).
# Every package here is also a check in configure.ac or a tool a test runs.
set -e
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	libasound2-dev alsa-utils \
	libusb-1.0-0-dev liburcu-dev check \
	libyaml-dev libfftw3-dev libsndfile1-dev libsystemd-dev \
	sox clang-14 libfuzzer-14-dev libclang-rt-14-dev \
	qemu-system-x86 busybox-static cpio xxd procps psmisc valgrind \
	>/dev/null
echo "install-deps: done"
