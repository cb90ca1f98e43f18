# licmgr: build, test, demo, install and package. `make help` lists the targets.
PREFIX  ?= /usr/local
DESTDIR ?=
SWIFT   ?= swift

# /usr keeps its config and units at the root, where Debian puts them (/etc, /lib/systemd/system);
# any other prefix keeps them under itself. SYSCONFDIR is built into the binary.
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
# cron reads only /etc/cron.d: under another SYSCONFDIR the file waits to be linked there.
CRONDIR    ?= $(SYSCONFDIR)/cron.d
# The binary to install: the static release build by default. check-install and check-deb
# give a debug build made for their SYSCONFDIR instead, which spares the tests a release build.
BIN ?=

BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
DOCDIR  = $(PREFIX)/share/doc/licmgr
BASHDIR = $(PREFIX)/share/bash-completion/completions
ZSHDIR  = $(PREFIX)/share/zsh/site-functions
FISHDIR = $(PREFIX)/share/fish/vendor_completions.d

VERSION = $(shell sed -n 's/.*static let version = "\(.*\)"/\1/p' Sources/licmgr/BuildInfo.swift)
# The commit the binary says it was built from: "unknown" outside this project's own checkout,
# "-dirty" with uncommitted changes.
COMMIT := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] && \
	c=$$(git rev-parse --short=12 HEAD) && { git diff --quiet HEAD || c="$$c-dirty"; } && echo "$$c" || echo unknown)
# Read by Package.swift: only the licmgr target is rebuilt when they change.
BUILD_ENV = LICMGR_SYSCONFDIR=$(SYSCONFDIR) LICMGR_COMMIT=$(COMMIT)
# The shipped files name /usr/local; an install names its own paths.
SUBST = sed -e 's|/usr/local/bin/|$(BINDIR)/|g' -e 's|/usr/local/etc/|$(SYSCONFDIR)/|g'

# Debian packages the build needs: libcurl and SQLite headers, and pkg-config to find them;
# the tests also run licmgr on a pseudo-terminal with util-linux script(1), from bsdutils.
# mandoc lints the man pages in make test. The TLS and proxy tests make certificates with openssl,
# put the simulator behind TLS with socat and run tinyproxy (the binary alone: no system service).
# check-prometheus runs promtool, from Debian's prometheus package (about 96 MB; without systemd its
# postinst only adds a user; with systemd it also starts a Prometheus server, which
# 'systemctl disable --now prometheus' stops), and seeds the simulator with curl. The worked
# ServiceSource examples the tests run are python3 scripts.
APT_PACKAGES = libcurl4-openssl-dev libsqlite3-dev pkg-config bsdutils mandoc openssl socat tinyproxy-bin \
	prometheus curl python3

.PHONY: help setup build debug test simtest plancheck plancheck-known check-man check-unit check-sandbox check-prometheus check-install check-deb check-dist \
	check-fuzz demo bench fuzz lint format install uninstall dist deb clean

help:
	@echo "make setup      install the system packages the build needs (apt; idempotent)"
	@echo "make build      release build of licmgr"
	@echo "make test       unit and acceptance tests (the binary against billmgr-sim, in its classic"
	@echo "                dialect and again in every trait of the real server at once), then the"
	@echo "                check-* targets: fuzz corpus replayed, man pages, unit sandbox, promtool on the metrics"
	@echo "                file and the alerting rules, install layout, deb, tarball, no ICU in the static binary;"
	@echo "                then make fuzz for 5 s a harness"
	@echo "make simtest    the engine under random fault schedules against a model of the remote: SEEDS"
	@echo "                seeds from FIRST_SEED (make test runs a bounded number); SEED=N replays one with its trace"
	@echo "make plancheck  each command's dry run beside its run on random states: the same steps, the same"
	@echo "                money (issue 19): SEEDS states from FIRST_SEED, SEED=N one with both reports,"
	@echo "                STRICT=1 without the allow-list of known disagreements (make test runs 300 states)"
	@echo "make plancheck-known  the known disagreements, one failing test each, until the engine is fixed"
	@echo "make demo       a short real session against the bundled simulator"
	@echo "make bench      big accounts against the simulator: time, memory and remote calls per command"
	@echo "                (BENCH_SIZES, BENCH_RTT_MS, BENCH_PARALLEL; see Tests/Bench/bench.sh)"
	@echo "make fuzz       coverage-guided fuzzing (libFuzzer) of the config, import, remote answer, money,"
	@echo "                date and remote cell readers, FUZZ_SECONDS each (default 20); see Tests/Fuzz/fuzz.sh"
	@echo "make lint       check formatting against .swift-format; make format fixes it"
	@echo "make install    install licmgr, man pages, completions, systemd units, cron file and a"
	@echo "                sample config (PREFIX, DESTDIR, SYSCONFDIR, UNITDIR, CRONDIR, BIN)"
	@echo "make uninstall  remove what install put in place (never a live config)"
	@echo "make dist       a binary tarball to unpack into /usr/local"
	@echo "make deb        a Debian package (PREFIX=/usr layout, config a conffile)"

setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The installed binary links the Swift runtime and FoundationEssentials (no ICU) statically, so it runs on a
# server with no Swift toolchain; a scratch path of its own keeps debug builds incremental.
RELEASE = $(BUILD_ENV) $(SWIFT) build -c release --product licmgr --static-swift-stdlib --scratch-path .build-static

build: setup
	$(RELEASE)

debug: setup
	$(SWIFT) build

# The acceptance tests run twice: against the simulator's classic dialect, then with every trait
# of the real server at once (LICMGR_SIM_DIALECT); the per-dialect lifecycle classes name their own.
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	LICMGR_SIM_DIALECT=all $(SWIFT) test --skip-build --filter licmgrTests --skip DialectLifecycle
	$(MAKE) --no-print-directory check-fuzz check-man check-unit check-sandbox check-prometheus check-install check-deb \
	  check-dist check-no-icu
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=5

# Every committed fuzz input, the findings of past runs among them, once through its harness in
# the plain build: seconds, where fuzzing needs a build of its own (make fuzz).
check-fuzz:
	@bin="$$($(SWIFT) build --show-bin-path)/licmgr-fuzz"; \
	for dir in Tests/Fuzz/corpus/*/; do "$$bin" "$$(basename "$$dir")" "$$dir" || exit 1; done

# The engine in-process against a model of the remote, one seeded schedule of runs and faults per
# seed (Tests/LicmgrSimulation). make test runs a bounded number as part of swift test; this runs
# as many as asked and prints seeds per second and the faults injected by kind.
SEEDS ?= 1000
FIRST_SEED ?= 1
simtest: setup
	$(SWIFT) build --build-tests
	LICMGR_SIM_SEEDS=$(SEEDS) LICMGR_SIM_FIRST_SEED=$(FIRST_SEED) LICMGR_SIM_SEED=$(SEED) \
	  $(SWIFT) test --skip-build --filter LicmgrSimulation.SimulationTests

# Every command's dry run and then its run on random fault-free states (Tests/LicmgrSimulation/
# PlanMatchesRunTests.swift): a disagreement prints its smallest state as a test. The known ones
# are let through by an allow-list (KnownDisagreement.all) unless STRICT=1.
plancheck: setup
	$(SWIFT) build --build-tests
	LICMGR_PLANCHECK_SEEDS=$(SEEDS) LICMGR_PLANCHECK_FIRST_SEED=$(FIRST_SEED) LICMGR_PLANCHECK_SEED=$(SEED) \
	  LICMGR_PLANCHECK_STRICT=$(STRICT) $(SWIFT) test --skip-build --filter LicmgrSimulation.PlanMatchesRunTests

plancheck-known: setup
	$(SWIFT) build --build-tests
	LICMGR_PLANCHECK_KNOWN=1 $(SWIFT) test --skip-build --filter LicmgrSimulation.PlanMatchesRunKnownTests

check-man:
	BIN="$$($(SWIFT) build --show-bin-path)/licmgr" sh Tests/Packaging/check-man.sh

check-unit:
	sh Tests/Packaging/check-unit.sh

check-sandbox:
	BIN_DIR="$$($(SWIFT) build --show-bin-path)" sh Tests/Packaging/check-sandbox.sh

# promtool check metrics on a file a real session wrote, promtool check rules and test rules on
# etc/prometheus, and the metrics the rules and etc/grafana's dashboard name.
check-prometheus:
	BIN_DIR="$$($(SWIFT) build --show-bin-path)" sh Tests/Packaging/check-prometheus.sh

# A debug build for PREFIX=/usr in a scratch path of its own: seconds once built, where the
# static release build would take minutes.
CHECK_BUILD = LICMGR_SYSCONFDIR=/etc LICMGR_COMMIT=$(COMMIT) $(SWIFT) build --product licmgr --scratch-path .build-check

check-install:
	$(CHECK_BUILD)
	BIN="$$($(CHECK_BUILD) --show-bin-path)/licmgr" COMMIT=$(COMMIT) sh Tests/Packaging/check-install.sh

check-deb:
	$(CHECK_BUILD)
	BIN="$$($(CHECK_BUILD) --show-bin-path)/licmgr" sh Tests/Packaging/check-deb.sh

# The plain debug build reads /usr/local/etc, as the tarball wants.
check-dist:
	BIN="$$($(SWIFT) build --show-bin-path)/licmgr" sh Tests/Packaging/check-dist.sh

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

# libFuzzer on the readers of outside input, in a scratch path of its own so that no other build
# is touched; optimised, as the readers then take several times the inputs a second.
FUZZ_SECONDS ?= 20
FUZZ_BUILD = $(SWIFT) build -c release --product licmgr-fuzz --scratch-path .build-fuzz \
	-Xswiftc -sanitize=fuzzer,address

fuzz: setup
	$(FUZZ_BUILD)
	FUZZ_BIN="$$($(FUZZ_BUILD) --show-bin-path)/licmgr-fuzz" FUZZ_SECONDS=$(FUZZ_SECONDS) sh Tests/Fuzz/fuzz.sh

install: $(if $(BIN),,build)
	@bin='$(BIN)'; [ -n "$$bin" ] || bin="$$($(RELEASE) --show-bin-path)/licmgr"; \
	set -e; \
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR) \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(CRONDIR); \
	install -m 0755 -s "$$bin" $(DESTDIR)$(BINDIR)/licmgr; \
	built=$$($(DESTDIR)$(BINDIR)/licmgr --version --json | sed -n 's/.*"config":"\([^"]*\)".*/\1/p'); \
	if [ "$$built" != "$(SYSCONFDIR)/licmgr.conf" ]; then \
	  echo "$$bin reads $$built by default, not $(SYSCONFDIR)/licmgr.conf: build it with LICMGR_SYSCONFDIR=$(SYSCONFDIR)"; \
	  rm -f $(DESTDIR)$(BINDIR)/licmgr; exit 1; \
	fi; \
	$(DESTDIR)$(BINDIR)/licmgr --generate-completion-script bash > $(DESTDIR)$(BASHDIR)/licmgr; \
	$(DESTDIR)$(BINDIR)/licmgr --generate-completion-script zsh > $(DESTDIR)$(ZSHDIR)/_licmgr; \
	$(DESTDIR)$(BINDIR)/licmgr --generate-completion-script fish > $(DESTDIR)$(FISHDIR)/licmgr.fish; \
	chmod 0644 $(DESTDIR)$(BASHDIR)/licmgr $(DESTDIR)$(ZSHDIR)/_licmgr $(DESTDIR)$(FISHDIR)/licmgr.fish; \
	$(SUBST) man/licmgr.8 > $(DESTDIR)$(MANDIR)/man8/licmgr.8; \
	$(SUBST) man/licmgr.conf.5 > $(DESTDIR)$(MANDIR)/man5/licmgr.conf.5; \
	for unit in licmgr-checkevent.service licmgr-checkevent.timer; do \
	  $(SUBST) etc/$$unit > $(DESTDIR)$(UNITDIR)/$$unit; \
	done; \
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/licmgr.8 $(DESTDIR)$(MANDIR)/man5/licmgr.conf.5 \
	  $(DESTDIR)$(UNITDIR)/licmgr-checkevent.service $(DESTDIR)$(UNITDIR)/licmgr-checkevent.timer; \
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md; \
	install -m 0644 etc/prometheus/licmgr.rules.yml $(DESTDIR)$(DOCDIR)/licmgr.rules.yml; \
	install -m 0644 etc/grafana/licmgr.json $(DESTDIR)$(DOCDIR)/licmgr-grafana.json; \
	install -d $(DESTDIR)$(DOCDIR)/examples/service-sources; \
	install -m 0644 etc/service-sources/* $(DESTDIR)$(DOCDIR)/examples/service-sources/; \
	$(SUBST) etc/licmgr.conf > $(DESTDIR)$(SYSCONFDIR)/licmgr.conf.sample; \
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/licmgr.conf.sample; \
	$(SUBST) etc/licmgr.cron > $(DESTDIR)$(DOCDIR)/licmgr.cron; \
	if [ -e $(DESTDIR)$(CRONDIR)/licmgr ] && ! cmp -s $(DESTDIR)$(DOCDIR)/licmgr.cron $(DESTDIR)$(CRONDIR)/licmgr; then \
	  echo "kept the existing $(CRONDIR)/licmgr; the new one is $(DOCDIR)/licmgr.cron"; \
	else \
	  install -m 0644 $(DESTDIR)$(DOCDIR)/licmgr.cron $(DESTDIR)$(CRONDIR)/licmgr; \
	fi; \
	if [ ! -e $(DESTDIR)$(SYSCONFDIR)/licmgr.conf ]; then \
	  install -m 0600 $(DESTDIR)$(SYSCONFDIR)/licmgr.conf.sample $(DESTDIR)$(SYSCONFDIR)/licmgr.conf; \
	  echo "installed $(SYSCONFDIR)/licmgr.conf: set Url, User and the password file"; \
	else \
	  echo "kept the existing $(SYSCONFDIR)/licmgr.conf; the new sample is licmgr.conf.sample"; \
	fi; \
	echo "installed; neither $(UNITDIR)/licmgr-checkevent.timer nor $(CRONDIR)/licmgr is enabled (see README)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/licmgr $(DESTDIR)$(MANDIR)/man8/licmgr.8 $(DESTDIR)$(MANDIR)/man5/licmgr.conf.5 \
	  $(DESTDIR)$(BASHDIR)/licmgr $(DESTDIR)$(ZSHDIR)/_licmgr $(DESTDIR)$(FISHDIR)/licmgr.fish \
	  $(DESTDIR)$(UNITDIR)/licmgr-checkevent.service $(DESTDIR)$(UNITDIR)/licmgr-checkevent.timer \
	  $(DESTDIR)$(CRONDIR)/licmgr $(DESTDIR)$(SYSCONFDIR)/licmgr.conf.sample
	rm -rf $(DESTDIR)$(DOCDIR)
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/licmgr.conf ]; then \
	  echo "kept $(SYSCONFDIR)/licmgr.conf, the live config, and the database it names; remove them by hand"; \
	fi
	@if [ -z "$(DESTDIR)" ] && systemctl is-enabled --quiet licmgr-checkevent.timer 2>/dev/null; then \
	  echo "licmgr-checkevent.timer is still enabled: systemctl disable --now licmgr-checkevent.timer"; \
	fi

# Packages go to OUT. Both stage a DESTDIR install; BIN works as for install.
OUT ?= .
ARCH = $(shell uname -m)
DIST = licmgr-$(VERSION)-linux-$(ARCH)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null || echo $(ARCH))
DEB_MAINTAINER ?= licmgr maintainers <root@localhost>

# A tree to unpack into /usr/local (tar -xzf FILE -C /usr/local --strip-components=1): bin,
# man pages, completions, units, the cron file and the sample config; the live config is the
# administrator's to write.
dist:
	rm -rf .build-dist && mkdir -p .build-dist/stage
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/.build-dist/stage PREFIX=/usr/local \
	  SYSCONFDIR=/usr/local/etc UNITDIR=/usr/local/lib/systemd/system CRONDIR=/usr/local/etc/cron.d BIN=$(BIN) >/dev/null
	rm .build-dist/stage/usr/local/etc/licmgr.conf
	mv .build-dist/stage/usr/local .build-dist/$(DIST)
	tar -C .build-dist --owner=0 --group=0 --numeric-owner -czf $(OUT)/$(DIST).tar.gz $(DIST)
	@echo "$(OUT)/$(DIST).tar.gz: $$(du -k $(OUT)/$(DIST).tar.gz | cut -f1) KB"

# The PREFIX=/usr layout; /etc/licmgr.conf and /etc/cron.d/licmgr are conffiles, so an upgrade
# keeps what the administrator changed. Maintainer scripts are in etc/deb.
deb:
	rm -rf .build-deb && mkdir -p .build-deb/root
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/.build-deb/root PREFIX=/usr \
	  SYSCONFDIR=/etc UNITDIR=/lib/systemd/system CRONDIR=/etc/cron.d BIN=$(BIN) >/dev/null
	rm .build-deb/root/etc/licmgr.conf.sample
	gzip -9n .build-deb/root/usr/share/man/man5/licmgr.conf.5 .build-deb/root/usr/share/man/man8/licmgr.8 \
	  .build-deb/root/usr/share/doc/licmgr/README.md
	mkdir -m 0755 .build-deb/root/DEBIAN
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(DEB_ARCH)|' -e 's|@MAINTAINER@|$(DEB_MAINTAINER)|' \
	  -e "s|@SIZE@|$$(du -sk .build-deb/root | cut -f1)|" etc/deb/control.in > .build-deb/root/DEBIAN/control
	printf '/etc/cron.d/licmgr\n/etc/licmgr.conf\n' > .build-deb/root/DEBIAN/conffiles
	install -m 0755 etc/deb/postinst etc/deb/prerm etc/deb/postrm .build-deb/root/DEBIAN/
	dpkg-deb --root-owner-group -Zxz --build .build-deb/root $(OUT)/licmgr_$(VERSION)_$(DEB_ARCH).deb
	@if command -v lintian >/dev/null 2>&1; then \
	  lintian $(OUT)/licmgr_$(VERSION)_$(DEB_ARCH).deb || echo "lintian: the findings above"; fi

# The installed binary holds no ICU and stays under 20 MB stripped (issue 12): licmgr links
# FoundationEssentials, not Foundation. Checked on the static release build itself.
.PHONY: check-no-icu
check-no-icu: build
	@bin="$$($(RELEASE) --show-bin-path)/licmgr"; strip -o "$$bin.stripped" "$$bin"; \
	icu=$$(nm "$$bin" | grep -cE 'icu_[0-9]|icudt'); size=$$(wc -c < "$$bin.stripped"); \
	echo "licmgr: $$size bytes stripped, $$icu ICU symbols"; \
	[ "$$icu" -eq 0 ] && [ "$$size" -lt 20000000 ]

clean:
	rm -rf .build .build-* licmgr-*.tar.gz licmgr_*.deb

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
