# tests/vm: see tests/local.mk
#
# Real-USB tests in a QEMU VM (design: tests/vm/build-image.sh).  The VM
# image is cached in $(top_builddir)/vm-cache; the tests SKIP (77) when
# qemu-system-x86_64 or the Debian kernel package is unavailable.
check_PROGRAMS += tests/vm/wavcmp tests/vm/vmqmp
tests_vm_wavcmp_SOURCES = tests/vm/wavcmp.c
tests_vm_wavcmp_CFLAGS = $(AM_CFLAGS) $(SNDFILE_CFLAGS)
tests_vm_wavcmp_LDADD = $(SNDFILE_LIBS) -lm
tests_vm_vmqmp_SOURCES = tests/vm/qmp.c

TESTS += \
	tests/vm/test-vm-kernel.sh \
	tests/vm/test-vm-hotplug-kernel.sh \
	tests/vm/test-vm-multi-kernel.sh \
	tests/vm/test-vm-uacd.sh \
	tests/vm/test-vm-uacd-newdev.sh

EXTRA_DIST += \
	tests/vm/build-image.sh \
	tests/vm/run-vm.sh \
	tests/vm/vm-lib.sh \
	tests/vm/test-vm-kernel.sh \
	tests/vm/test-vm-hotplug-kernel.sh \
	tests/vm/test-vm-multi-kernel.sh \
	tests/vm/test-vm-uacd.sh \
	tests/vm/test-vm-uacd-newdev.sh

# rm -rf vm-cache to rebuild the VM image; make distclean removes all of it
# (the downloaded kernel package too), make clean the per-test share dirs,
# so that make distcheck with the VM tests on (DISTCHECK_CONFIGURE_FLAGS=
# UACD_SKIP_VM=) leaves nothing behind.
clean-local: clean-vm-work
distclean-local: distclean-vm-cache
clean-vm-work:
	-rm -rf tests/vm/*.work
distclean-vm-cache:
	-rm -rf vm-cache
.PHONY: clean-vm-work distclean-vm-cache
