#!/bin/sh
# make dist packs a tree to unpack into /usr/local: binary, man pages, completions, units, cron
# file, sample config and README, and no live config. BIN is a licmgr built for /usr/local/etc
# (a plain swift build).
set -eu
: "${BIN:?BIN must name a licmgr built for SYSCONFDIR=/usr/local/etc}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-dist: $*" >&2; exit 1; }
make --no-print-directory dist BIN="$BIN" OUT="$work" >/dev/null
tarball=$(ls "$work"/licmgr-*.tar.gz)
top=$(basename "$tarball" .tar.gz)
files=$(tar -tzf "$tarball" | grep -v '/$' | LC_ALL=C sort)
expected="$top/bin/licmgr
$top/etc/cron.d/licmgr
$top/etc/licmgr.conf.sample
$top/lib/systemd/system/licmgr-checkevent.service
$top/lib/systemd/system/licmgr-checkevent.timer
$top/share/bash-completion/completions/licmgr
$top/share/doc/licmgr/README.md
$top/share/doc/licmgr/licmgr-grafana.json
$top/share/doc/licmgr/licmgr.cron
$top/share/doc/licmgr/licmgr.rules.yml
$top/share/fish/vendor_completions.d/licmgr.fish
$top/share/man/man5/licmgr.conf.5
$top/share/man/man8/licmgr.8
$top/share/zsh/site-functions/_licmgr"
[ "$files" = "$expected" ] || fail "the tarball holds:
$files"
tar -tvzf "$tarball" | grep -v ' 0/0 ' && fail "entries above are not root's"
mkdir "$work/usr-local"
tar -xzf "$tarball" -C "$work/usr-local" --strip-components=1
grep -qx 'ExecStart=/usr/local/bin/licmgr checkevent' "$work/usr-local/lib/systemd/system/licmgr-checkevent.service" ||
  fail "the service does not run /usr/local/bin/licmgr"
echo "check-dist: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KB) unpacks into /usr/local with all its parts"
