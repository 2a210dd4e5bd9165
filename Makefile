# pcipass top-level build.  Userspace C11, warnings are errors.
#
#   make            core library, unit tests, benchmark tools
#   make test       everything CI runs (unit, fuzz smoke, guest tests)
#   make testbed    sysroot, patched QEMU, guest kernel (cached, see testbed/)
#   make bench      replay benchmarks (docs/BENCHMARKS.md)

B       ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-align -Wvla
PPCFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Icore/include -Ihosts/include $(CFLAGS)

CORE_SRCS := $(wildcard core/src/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/%.o)
CORE_LIB  := $(B)/libpcipass-core.a

# Host backends usable here: the common layer and the simulated Mac host.
# On a Mac the dext client (hosts/dext, IOKit) joins them; on Linux it is
# built only against the fake IOKit, for tests (below).
UNAME_S   := $(shell uname -s)
HOST_SRCS := $(wildcard hosts/*.c hosts/sim/*.c)
ifeq ($(UNAME_S),Darwin)
HOST_SRCS += $(wildcard hosts/dext/*.c)
PPCFLAGS  += -Imac/include
endif
HOST_OBJS := $(HOST_SRCS:%.c=$(B)/%.o)
HOST_LIB  := $(B)/libpcipass-host.a

# test_dext_backend links the macOS client against a fake IOKit (below).
DEXT_UNIT  := tests/unit/test_dext_backend.c tests/unit/test_dext_core.c
UNIT_SRCS  := $(filter-out $(DEXT_UNIT),$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%) $(DEXT_UNIT:tests/unit/%.c=$(B)/tests/%)
UNIT_COMMON := $(filter-out $(wildcard tests/unit/test_*.c),$(wildcard tests/unit/*.c))

# The Mac host's portable parts, tested here: the dext core, and the dext
# backend (hosts/dext, IOKit client) built against tests/fakeiokit, which
# dispatches IOKit calls in-process into that core with the sim device behind.
DEXT_TEST_SRCS := hosts/dext/dext.c $(wildcard mac/dext/core/*.c) $(wildcard tests/fakeiokit/*.c)
DEXT_TEST_OBJS := $(DEXT_TEST_SRCS:%.c=$(B)/dexttest/%.o)
DEXT_TEST_LIB  := $(B)/libpcipass-dext-test.a
DEXT_TEST_CFLAGS = $(PPCFLAGS) -Imac/include -Imac/dext/core -Imac/dext/test -Itests/fakeiokit/include

BENCH_BINS := $(B)/bench/replay $(B)/bench/tracegen
BENCH_COMMON := $(filter-out bench/replay.c bench/tracegen.c,$(wildcard bench/*.c))

.PHONY: all core hosts unit bench-tools bench test fuzz clean cli
all: core hosts unit bench-tools cli

core: $(CORE_LIB)
hosts: $(HOST_LIB)
unit: $(UNIT_BINS)
bench-tools: $(BENCH_BINS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(PPCFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(HOST_LIB): $(HOST_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(UNIT_COMMON:%.c=$(B)/%.o) $(HOST_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(PPCFLAGS) -o $@ $^ -lcmocka -lpthread

$(B)/dexttest/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(DEXT_TEST_CFLAGS) -MMD -MP -c $< -o $@

$(DEXT_TEST_LIB): $(DEXT_TEST_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/tests/test_dext_backend: $(B)/dexttest/tests/unit/test_dext_backend.o $(DEXT_TEST_LIB) $(HOST_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(DEXT_TEST_CFLAGS) -o $@ $^ -lcmocka -lpthread

# the dext core alone, on a fake PCIDriverKit platform (mac/dext/test)
$(B)/tests/test_dext_core: $(B)/dexttest/tests/unit/test_dext_core.o $(B)/dexttest/mac/dext/test/fakepf.o $(DEXT_TEST_LIB) $(HOST_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(DEXT_TEST_CFLAGS) -o $@ $^ -lcmocka -lpthread

$(B)/bench/%: $(B)/bench/%.o $(BENCH_COMMON:%.c=$(B)/%.o) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(PPCFLAGS) -o $@ $^ -lm

# ---- the launcher, `pcipass` (cli/, docs/cli.md) ---------------------------
# jansson (QMP, --json), libcurl (image downloads), libcrypto (sha256),
# libpci (device names): Debian packages and Homebrew formulas alike.
CLI_SRCS   := $(wildcard cli/*.c)
CLI_OBJS   := $(CLI_SRCS:%.c=$(B)/%.o)
ifeq ($(UNAME_S),Darwin)
# Homebrew's prefixes; libpci is optional there (raw ids, built-in classes).
# Never built here: docs/cli.md says what ran on a Mac (nothing yet).
BREW       ?= $(shell brew --prefix 2>/dev/null || echo /opt/homebrew)
CLI_LIBS   := -L$(BREW)/lib -L$(BREW)/opt/openssl@3/lib -ljansson -lcurl -lcrypto \
              -lpthread -framework IOKit -framework CoreFoundation -framework Hypervisor
CLI_CFLAGS  = $(PPCFLAGS) -I$(BREW)/include -I$(BREW)/opt/openssl@3/include \
              -DPP_CLI_SRCDIR='"$(CURDIR)"'
else
CLI_LIBS   := -ljansson -lcurl -lcrypto -lpci -lpthread
CLI_CFLAGS  = $(PPCFLAGS) -DPP_CLI_SRCDIR='"$(CURDIR)"' -DPP_CLI_HAVE_LIBPCI
endif
cli: $(B)/pcipass

$(B)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -MMD -MP -c $< -o $@

$(B)/pcipass: $(CLI_OBJS) $(HOST_LIB) $(CORE_LIB)
	$(CC) $(CLI_CFLAGS) -o $@ $^ $(CLI_LIBS)

# the command-line builder's golden tests link the builder alone
CLI_PURE := $(B)/cli/cmdline.o $(B)/cli/util.o
$(B)/tests/test_cli_cmdline: $(B)/tests/unit/test_cli_cmdline.o $(CLI_PURE)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -o $@ $^ -lcmocka

# ---- fuzzing (clang libFuzzer + ASan/UBSan) --------------------------------
FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Icore/include -Ihosts/include \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
fuzz: $(FUZZ_BINS)
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRCS) $(wildcard core/include/pcipass/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS)

# the dext core's dispatch entry point, on the fake platform
DEXT_CORE_SRCS := $(wildcard mac/dext/core/*.c) mac/dext/test/fakepf.c
$(B)/fuzz/fuzz_dext_core: tests/fuzz/fuzz_dext_core.c $(CORE_SRCS) $(DEXT_CORE_SRCS) $(wildcard mac/dext/core/*.h mac/dext/test/*.h mac/include/pcipass/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Imac/include -Imac/dext/core -Imac/dext/test -o $@ $< $(CORE_SRCS) $(DEXT_CORE_SRCS) -lpthread

# ---- benchmarks (docs/BENCHMARKS.md) ---------------------------------------
bench: bench-tools
	bench/run-suite

# ---- the test command of the README ----------------------------------------
test:
	@tests/run

clean:
	rm -rf $(B)

-include $(shell find $(B) -path $(B)/testbed -prune -o -name '*.d' -type f -print 2>/dev/null)
-include testbed/testbed.mk
-include demo.mk

# ---- guest image and DKMS package (docs/guest-image.md) --------------------
.PHONY: deb image image-test
deb:
	guest/packaging/build-deb
image:
	image/build
image-test: image
	testbed/run-guest-tests --no-setup image-boot
