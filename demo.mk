# demo.mk: `make demo` (docs/demo.md), included by the top Makefile.
#
#   make demo                          build what is needed, boot, report
#   make demo DEMO_ARGS="--seed 7"     tools/demo options (--verbose, --no-setup)
#
# Needs root, like make testbed (the testbed builds in a chroot).
.PHONY: demo
demo:
	@tools/demo $(DEMO_ARGS)
