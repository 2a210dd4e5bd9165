# demo.mk: `make demo` (docs/demo.md), included by the top Makefile.
#
#   make demo                          build what is needed, then the user's path
#                                      through the launcher (pcipass devices,
#                                      image build, run, ssh, status, stop), report
#   make demo DEMO_ARGS="--seed 7"     tools/demo options (--verbose, --no-setup)
#
# Needs root, like make testbed (the testbed and the guest image build in a
# chroot).  The demo's launcher state is build/demo/home (PCIPASS_HOME).
.PHONY: demo
demo:
	@tools/demo $(DEMO_ARGS)
