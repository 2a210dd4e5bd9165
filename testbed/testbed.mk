# testbed/testbed.mk: make targets for the guest testbed (included by the top
# Makefile).  See docs/testbed.md.
#
#   make testbed          create or refresh sysroot, QEMU, guest kernel (cached)
#   make guest-test       make testbed, then run every guest test
#   make testbed-prune    make testbed, then delete stale cache entries

.PHONY: testbed guest-test testbed-prune

testbed:
	@testbed/setup

guest-test: testbed
	@testbed/run-guest-tests --no-setup

testbed-prune:
	@testbed/setup --prune
