#!/bin/sh
# make install DESTDIR=... PREFIX=/usr lays everything out where a Debian-like system looks for
# it, the installed binary reads /etc/licmgr.conf, and make uninstall leaves only that config.
# BIN is a licmgr built with LICMGR_SYSCONFDIR=/etc; COMMIT the commit it should name.
set -eu
: "${BIN:?BIN must name a licmgr built for SYSCONFDIR=/etc}"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

make --no-print-directory install DESTDIR="$root" PREFIX=/usr BIN="$BIN" > "$root.out"
cat "$root.out"; rm -f "$root.out"
expected="etc/cron.d/licmgr
etc/licmgr.conf
etc/licmgr.conf.sample
lib/systemd/system/licmgr-checkevent.service
lib/systemd/system/licmgr-checkevent.timer
usr/bin/licmgr
usr/share/bash-completion/completions/licmgr
usr/share/doc/licmgr/README.md
usr/share/doc/licmgr/licmgr-grafana.json
usr/share/doc/licmgr/licmgr.cron
usr/share/doc/licmgr/licmgr.rules.yml
usr/share/fish/vendor_completions.d/licmgr.fish
usr/share/man/man5/licmgr.conf.5
usr/share/man/man8/licmgr.8
usr/share/zsh/site-functions/_licmgr"
actual=$(cd "$root" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
[ "$actual" = "$expected" ] || fail "installed files differ from the layout:
$(printf '%s\n' "$expected" > "$root/.want"; printf '%s\n' "$actual" | diff "$root/.want" - || true)"

mode() { stat -c %a "$root/$1"; }
[ "$(mode etc/licmgr.conf)" = 600 ] || fail "etc/licmgr.conf is mode $(mode etc/licmgr.conf), not 600"
[ "$(mode usr/bin/licmgr)" = 755 ] || fail "usr/bin/licmgr is mode $(mode usr/bin/licmgr)"
for f in lib/systemd/system/licmgr-checkevent.service usr/share/man/man8/licmgr.8 usr/share/zsh/site-functions/_licmgr; do
  [ "$(mode "$f")" = 644 ] || fail "$f is mode $(mode "$f"), not 644"
done

# Installed paths name this install, not the sources' /usr/local.
grep -qx 'ExecStart=/usr/bin/licmgr checkevent' "$root/lib/systemd/system/licmgr-checkevent.service" ||
  fail "the service does not run /usr/bin/licmgr"
grep -q ' /usr/bin/licmgr checkevent$' "$root/etc/cron.d/licmgr" || fail "the cron line does not run /usr/bin/licmgr"
# (An example's /usr/local/libexec hook is the administrator's, wherever licmgr is.)
! grep -rlE '/usr/local/(bin|etc)/' "$root/lib" "$root/etc" "$root/usr/share/man" ||
  fail "an installed file above still names /usr/local/bin or /usr/local/etc"
grep -q '^\.It Pa /etc/licmgr.conf$' "$root/usr/share/man/man8/licmgr.8" || fail "licmgr(8) FILES does not name /etc/licmgr.conf"

# The completions are the binary's own, and parse.
grep -q 'licmgr' "$root/usr/share/bash-completion/completions/licmgr" || fail "the bash completion is empty"
bash -n "$root/usr/share/bash-completion/completions/licmgr" || fail "the bash completion does not parse"
head -1 "$root/usr/share/zsh/site-functions/_licmgr" | grep -q '^#compdef licmgr' || fail "the zsh completion lacks #compdef"
grep -q "^complete -c 'licmgr'" "$root/usr/share/fish/vendor_completions.d/licmgr.fish" || fail "the fish completion completes nothing"

# The installed binary reads /etc/licmgr.conf: --version says so, and so does the error of a
# config check with no --config (unless this machine has an /etc/licmgr.conf of its own).
version=$("$root/usr/bin/licmgr" --version --json)
case $version in *'"config":"/etc/licmgr.conf"'*) ;; *) fail "the installed binary's default config is not /etc/licmgr.conf: $version" ;; esac
case $version in *"\"commit\":\"$COMMIT\""*) ;; *) fail "the installed binary names another commit than $COMMIT: $version" ;; esac
if [ ! -e /etc/licmgr.conf ]; then
  status=0
  message=$(env -u LICMGR_CONFIG "$root/usr/bin/licmgr" config check 2>&1) || status=$?
  [ "$status" = 78 ] || fail "config check without a config exited $status, not 78: $message"
  case $message in *'/etc/licmgr.conf: cannot read: no such file'*) ;; *) fail "config check did not name /etc/licmgr.conf: $message" ;; esac
fi

# A second install keeps the live config and an edited cron file.
echo '# edited' >> "$root/etc/licmgr.conf"
echo '# edited' >> "$root/etc/cron.d/licmgr"
again=$(make --no-print-directory install DESTDIR="$root" PREFIX=/usr BIN="$BIN")
case $again in *'kept the existing /etc/licmgr.conf'*) ;; *) fail "a second install did not say it kept the config: $again" ;; esac
tail -1 "$root/etc/licmgr.conf" | grep -qx '# edited' || fail "a second install replaced the live config"
tail -1 "$root/etc/cron.d/licmgr" | grep -qx '# edited' || fail "a second install replaced an edited cron file"

said=$(make --no-print-directory uninstall DESTDIR="$root" PREFIX=/usr)
case $said in *'kept /etc/licmgr.conf'*) ;; *) fail "uninstall did not say it kept the live config: $said" ;; esac
left=$(cd "$root" && find . -type f | sed 's|^\./||')
[ "$left" = etc/licmgr.conf ] || fail "uninstall left more than the live config: $left"
echo "check-install: PREFIX=/usr layout, /etc/licmgr.conf built in, uninstall keeps only the config"
