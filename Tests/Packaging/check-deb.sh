#!/bin/sh
# make deb builds a package with the right metadata and files, and it installs, removes and
# purges cleanly. The install goes into a scratch root (dpkg --root, maintainer scripts run
# without chroot and see DPKG_ROOT), so the test needs no root and leaves this machine alone.
# BIN is a licmgr built for SYSCONFDIR=/etc.
set -eu
: "${BIN:?BIN must name a licmgr built for SYSCONFDIR=/etc}"
if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "check-deb: skipped: dpkg-deb is not installed (not a Debian-like system)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-deb: $*" >&2; exit 1; }

make --no-print-directory deb BIN="$BIN" OUT="$work" >/dev/null
deb=$(ls "$work"/licmgr_*.deb)
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = licmgr ] || fail "Package is $(field Package)"
version=$("$BIN" --version --json | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
[ "$(field Version)" = "$version" ] || fail "Version is $(field Version), the binary says $version"
case $(field Depends) in *libcurl4*) ;; *) fail "Depends lacks libcurl4: $(field Depends)" ;; esac
case $(field Depends) in *libsqlite3-0*) ;; *) fail "Depends lacks libsqlite3-0: $(field Depends)" ;; esac
[ "$(dpkg-deb -I "$deb" conffiles)" = "/etc/cron.d/licmgr
/etc/licmgr.conf" ] || fail "conffiles: $(dpkg-deb -I "$deb" conffiles)"

listing=$(dpkg-deb -c "$deb")
has() { printf '%s\n' "$listing" | grep -qE -- "$1" || fail "the package lacks $2"; }
has '^-rw------- root/root .* \./etc/licmgr\.conf$' "/etc/licmgr.conf, mode 0600, root's"
has '^-rwxr-xr-x root/root .* \./usr/bin/licmgr$' /usr/bin/licmgr
has ' \./lib/systemd/system/licmgr-checkevent\.service$' "the service in /lib/systemd/system"
has ' \./lib/systemd/system/licmgr-checkevent\.timer$' "the timer in /lib/systemd/system"
has ' \./usr/share/man/man8/licmgr\.8\.gz$' "licmgr(8)"
has ' \./usr/share/man/man5/licmgr\.conf\.5\.gz$' "licmgr.conf(5)"
has ' \./usr/share/bash-completion/completions/licmgr$' "the bash completion"
has ' \./usr/share/zsh/site-functions/_licmgr$' "the zsh completion"
has ' \./usr/share/fish/vendor_completions\.d/licmgr\.fish$' "the fish completion"
! printf '%s\n' "$listing" | grep -v ' root/root ' || fail "files above are not root's"
! printf '%s\n' "$listing" | grep -E '/usr/local|\.sample$' || fail "the package holds the above"

# Install, remove, purge in a scratch root. Its dpkg database knows no other package, hence
# --force-depends.
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg() { command dpkg --root="$root" --force-not-root --force-script-chrootless --force-depends --log=/dev/null "$@"; }
dpkg -i "$deb" > "$work/install.out" 2>&1 || { cat "$work/install.out" >&2; fail "dpkg -i failed"; }
[ -x "$root/usr/bin/licmgr" ] || fail "dpkg -i did not install /usr/bin/licmgr"
[ "$(stat -c %a "$root/var/lib/licmgr")" = 700 ] || fail "postinst did not make /var/lib/licmgr mode 0700"
"$root/usr/bin/licmgr" --version --json | grep -q '"config":"/etc/licmgr.conf"' ||
  fail "the installed binary does not read /etc/licmgr.conf"
dpkg -r licmgr > "$work/remove.out" 2>&1 || { cat "$work/remove.out" >&2; fail "dpkg -r failed"; }
[ ! -e "$root/usr/bin/licmgr" ] && [ ! -e "$root/lib/systemd/system/licmgr-checkevent.timer" ] ||
  fail "dpkg -r left the binary or the units"
[ -e "$root/etc/licmgr.conf" ] && [ -e "$root/etc/cron.d/licmgr" ] || fail "dpkg -r removed a conffile"
dpkg -P licmgr > "$work/purge.out" 2>&1 || { cat "$work/purge.out" >&2; fail "dpkg -P failed"; }
[ ! -e "$root/etc/licmgr.conf" ] && [ ! -e "$root/etc/cron.d/licmgr" ] || fail "dpkg -P left a conffile"
[ -d "$root/var/lib/licmgr" ] || fail "dpkg -P removed the database directory"
grep -q 'kept /var/lib/licmgr' "$work/purge.out" || fail "dpkg -P did not say it kept the database"
left=$(cd "$root" && find . -type f ! -path './var/lib/dpkg/*')
[ -z "$left" ] || fail "dpkg -P left files: $left"
echo "check-deb: $(basename "$deb") ($(du -k "$deb" | cut -f1) KB) has its files and metadata; installs, removes, purges cleanly"
