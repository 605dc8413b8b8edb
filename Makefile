# Apex - build with "make", test with "make check", install with
# "make install PREFIX=/usr/local DESTDIR=". "make asan" builds and tests
# everything again with AddressSanitizer and UndefinedBehaviorSanitizer.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
PKG_CONFIG ?= pkg-config

LIBS_CORE    := libpq yaml-0.1 jansson zlib
LIBS_PROVIDER := libmicrohttpd
LIBS_CONSOLE := ncursesw formw menuw panelw

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LIBS_CORE) $(LIBS_PROVIDER) $(LIBS_CONSOLE))
CORE_LDLIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_CORE)) -lm
PROVIDER_LDLIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_PROVIDER)) -lpthread
CONSOLE_LDLIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_CONSOLE))
CRITERION_LDLIBS := $(shell $(PKG_CONFIG) --libs criterion)

OPTFLAGS  ?= -O2 -g
SANFLAGS  ?=
CFLAGS    ?=
CFLAGS    += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation \
             $(OPTFLAGS) $(SANFLAGS) -MMD -MP \
             -DAPEX_VERSION='"$(VERSION)"' \
             -DAPEX_DATADIR='"$(PREFIX)/share/apex"' \
             -Icore $(PKG_CFLAGS)
LDFLAGS   += $(SANFLAGS)

CORE_SRC     := $(wildcard core/*.c)
APEXCTL_SRC  := $(wildcard console/apexctl*.c)
CONSOLE_SRC  := $(wildcard console/tui*.c)
PROVIDER_SRC := $(wildcard provider/*.c)
TEST_SRC     := $(wildcard tests/test_*.c)
BENCH_SRC    := $(wildcard bench/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBAPEX  := $(BUILD)/libapex.a
APEXCTL  := $(BUILD)/apexctl
CONSOLE  := $(BUILD)/apex-console
PROVIDER := $(BUILD)/apex-provider
TESTS    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

PROGRAMS := $(APEXCTL)
ifneq ($(CONSOLE_SRC),)
PROGRAMS += $(CONSOLE)
endif
ifneq ($(PROVIDER_SRC),)
PROGRAMS += $(PROVIDER)
endif

.PHONY: all check asan bench demo install uninstall clean deps FORCE

all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# config.c compiles PREFIX in (the blueprints folder): rebuild it when
# PREFIX changes between "make" and "make install".
$(BUILD)/prefix.txt: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@

$(BUILD)/core/config.o: $(BUILD)/prefix.txt

$(LIBAPEX): $(call obj,$(CORE_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(APEXCTL): $(call obj,$(APEXCTL_SRC)) $(LIBAPEX)
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LDLIBS)

$(CONSOLE): $(call obj,$(CONSOLE_SRC)) $(LIBAPEX)
	$(CC) $(LDFLAGS) -o $@ $^ $(CONSOLE_LDLIBS) $(CORE_LDLIBS)

$(PROVIDER): $(call obj,$(PROVIDER_SRC)) $(LIBAPEX)
	$(CC) $(LDFLAGS) -o $@ $^ $(PROVIDER_LDLIBS) $(CORE_LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBAPEX)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRITERION_LDLIBS) $(CORE_LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBAPEX)
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LDLIBS) -lpthread

# Runs every suite against a throwaway PostgreSQL cluster that the script
# starts and stops.
check: all $(TESTS)
	BUILD=$(BUILD) scripts/run-tests.sh

asan:
	$(MAKE) BUILD=build-asan OPTFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check

bench: all $(BENCHES)
	BUILD=$(BUILD) scripts/run-bench.sh

demo: all
	BUILD=$(BUILD) scripts/demo.sh

deps:
	scripts/install-deps.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/share/apex/blueprints \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(APEXCTL) $(DESTDIR)$(PREFIX)/bin/
	if [ -x $(CONSOLE) ]; then install -m 755 $(CONSOLE) $(DESTDIR)$(PREFIX)/bin/; fi
	if [ -x $(PROVIDER) ]; then install -m 755 $(PROVIDER) $(DESTDIR)$(PREFIX)/sbin/; fi
	install -m 644 blueprints/*.yaml $(DESTDIR)$(PREFIX)/share/apex/blueprints/
	for page in man/*.1; do [ -f "$$page" ] && install -m 644 "$$page" $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	for page in man/*.5; do [ -f "$$page" ] && install -m 644 "$$page" $(DESTDIR)$(PREFIX)/share/man/man5/; done; true
	for page in man/*.8; do [ -f "$$page" ] && install -m 644 "$$page" $(DESTDIR)$(PREFIX)/share/man/man8/; done; true

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/apexctl $(DESTDIR)$(PREFIX)/bin/apex-console \
		$(DESTDIR)$(PREFIX)/sbin/apex-provider
	rm -rf $(DESTDIR)$(PREFIX)/share/apex
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/apexctl.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/apex-console.1 \
		$(DESTDIR)$(PREFIX)/share/man/man5/apex.yaml.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/apex-blueprint.5 \
		$(DESTDIR)$(PREFIX)/share/man/man8/apex-provider.8

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
