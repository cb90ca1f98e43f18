# licmgr: build, test, demo and install. `make help` lists the targets.
PREFIX  ?= /usr/local
DESTDIR ?=
SWIFT   ?= swift

BINDIR  = $(DESTDIR)$(PREFIX)/bin
MAN5DIR = $(DESTDIR)$(PREFIX)/share/man/man5
MAN8DIR = $(DESTDIR)$(PREFIX)/share/man/man8
ETCDIR  = $(DESTDIR)$(PREFIX)/etc
DOCDIR  = $(DESTDIR)$(PREFIX)/share/doc/licmgr

# Debian packages the build needs: libcurl and SQLite headers, and pkg-config to find them;
# the tests also run licmgr on a pseudo-terminal with util-linux script(1), from bsdutils.
APT_PACKAGES = libcurl4-openssl-dev libsqlite3-dev pkg-config bsdutils

.PHONY: help setup build debug test demo bench lint format install uninstall clean

help:
	@echo "make setup      install the system packages the build needs (apt; idempotent)"
	@echo "make build      release build of licmgr"
	@echo "make test       unit and acceptance tests (the binary against billmgr-sim)"
	@echo "make demo       a short real session against the bundled simulator"
	@echo "make bench      big accounts against the simulator: time, memory and remote calls per command"
	@echo "                (BENCH_SIZES, BENCH_RTT_MS, BENCH_PARALLEL; see Tests/Bench/bench.sh)"
	@echo "make lint       check formatting against .swift-format; make format fixes it"
	@echo "make install    install licmgr, its man pages and a sample config (PREFIX, DESTDIR)"
	@echo "make uninstall  remove what install put in place (never a live config)"

setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The installed binary links the Swift runtime and Foundation statically, so it runs on a
# server with no Swift toolchain; a scratch path of its own keeps debug builds incremental.
RELEASE = $(SWIFT) build -c release --product licmgr --static-swift-stdlib --scratch-path .build-static

build: setup
	$(RELEASE)

debug: setup
	$(SWIFT) build

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: debug
	@BIN="$$($(SWIFT) build --show-bin-path)" sh -c "$$DEMO_SCRIPT"

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

format:
	$(SWIFT) format format -i -r Sources Tests Package.swift

# The script reads BENCH_SIZES, BENCH_RTT_MS and BENCH_PARALLEL from the environment, where
# make puts them when given on its command line.
bench: setup
	$(SWIFT) build -c release
	@BIN="$$($(SWIFT) build -c release --show-bin-path)" sh Tests/Bench/bench.sh

install: build
	install -d $(BINDIR) $(MAN5DIR) $(MAN8DIR) $(ETCDIR) $(DOCDIR)
	install -m 0755 -s "$$($(RELEASE) --show-bin-path)/licmgr" $(BINDIR)/licmgr
	install -m 0644 man/licmgr.8 $(MAN8DIR)/licmgr.8
	install -m 0644 man/licmgr.conf.5 $(MAN5DIR)/licmgr.conf.5
	install -m 0644 etc/licmgr.conf $(ETCDIR)/licmgr.conf.sample
	install -m 0644 README.md etc/licmgr.cron etc/licmgr-checkevent.service etc/licmgr-checkevent.timer $(DOCDIR)/
	@if [ ! -e $(ETCDIR)/licmgr.conf ]; then \
	  install -m 0600 etc/licmgr.conf $(ETCDIR)/licmgr.conf; \
	  echo "installed $(ETCDIR)/licmgr.conf: set Url, User and the password file"; \
	else \
	  echo "kept the existing $(ETCDIR)/licmgr.conf; the new sample is licmgr.conf.sample"; \
	fi

uninstall:
	rm -f $(BINDIR)/licmgr $(MAN8DIR)/licmgr.8 $(MAN5DIR)/licmgr.conf.5 $(ETCDIR)/licmgr.conf.sample
	rm -rf $(DOCDIR)

# The installed binary holds no ICU and stays under 20 MB stripped (issue 12): licmgr links
# FoundationEssentials, not Foundation. Checked on the static release build itself.
.PHONY: check-no-icu
check-no-icu: build
	@bin="$$($(RELEASE) --show-bin-path)/licmgr"; strip -o "$$bin.stripped" "$$bin"; \
	icu=$$(nm "$$bin" | grep -cE 'icu_[0-9]|icudt'); size=$$(wc -c < "$$bin.stripped"); \
	echo "licmgr: $$size bytes stripped, $$icu ICU symbols"; \
	[ "$$icu" -eq 0 ] && [ "$$size" -lt 20000000 ]

clean:
	rm -rf .build .build-*

# The demo: start billmgr-sim on a random loopback port, point a throw-away config at it,
# and run a short session. Everything lives in a temporary directory removed at the end.
define DEMO_SCRIPT
set -eu
dir=$$(mktemp -d)
"$$BIN/billmgr-sim" --port 0 > "$$dir/sim.out" 2> "$$dir/sim.err" &
sim=$$!
trap 'kill $$sim 2>/dev/null; wait $$sim 2>/dev/null; rm -rf "$$dir"' EXIT
tries=0
until grep -q listening "$$dir/sim.out" 2>/dev/null; do
  tries=$$((tries + 1))
  if [ $$tries -gt 100 ]; then echo "billmgr-sim did not start:"; cat "$$dir/sim.err"; exit 1; fi
  sleep 0.1
done
url=$$(sed -n 's/.*listening on //p' "$$dir/sim.out")
printf 'Url %s\nUser reseller@example.com\nPassword secret\nDatabase %s/licmgr.db\n' "$$url" "$$dir" > "$$dir/licmgr.conf"
chmod 600 "$$dir/licmgr.conf"
export LICMGR_CONFIG="$$dir/licmgr.conf"
run() { echo; echo "\$$ licmgr $$*"; "$$BIN/licmgr" "$$@"; }
echo "billmgr-sim (the bundled simulator of a remote BILLmanager) is on $$url"
run config check
run service add 101 --name vps101.example.com --ip 192.0.2.10 --period 1 --addon panel=Lite
run service add 102 --name vps102.example.com --ip 192.0.2.11 --period 12 --addon panel=Pro
run order 101 102
run order 101
run list
run show --service 101
run service set 101 --ip 192.0.2.20 --now
run service close 102 --now
run checkevent -v
run service list --all
run history --service 101
endef
export DEMO_SCRIPT
