#!/bin/sh
# licmgr works inside the hardened unit's sandbox: a real session (add, order, checkevent,
# list) against billmgr-sim, run the way licmgr-checkevent.service confines it, as far as this
# machine can without systemd running the unit:
# - MemoryDenyWriteExecute: the kernel's own PR_SET_MDWE (Linux 6.3+; set through python3),
#   which refuses the same writable-and-executable mappings as systemd's seccomp rule;
# - NoNewPrivileges and CapabilityBoundingSet= : setpriv --no-new-privs --bounding-set -all;
# - ProtectSystem=strict with the state directory writable: as root, a private mount namespace
#   with / read-only and only the database's directory bind-mounted read-write.
# Each part is skipped, with a word, where the machine lacks what it needs. BIN_DIR holds
# licmgr and billmgr-sim.
set -eu
: "${BIN_DIR:?BIN_DIR must name the directory of licmgr and billmgr-sim}"
dir=$(mktemp -d)
state="$dir/state"
mkdir -m 0700 "$state"
. Tests/Packaging/simulator.sh
start_simulator check-sandbox
printf 'Url %s\nUser reseller@example.com\nPassword secret\nDatabase %s/licmgr.db\n' "$url" "$state" > "$dir/licmgr.conf"
chmod 600 "$dir/licmgr.conf"

confined="the plain process"
wrap=""
if python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0)' 2>/dev/null; then
  # PR_SET_MDWE = 65, PR_MDWE_REFUSE_EXEC_GAIN = 1; kept across exec.
  wrap="python3 -c 'import ctypes, os, sys; ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0 or sys.exit(70); os.execvp(sys.argv[1], sys.argv[1:])'"
  confined="MemoryDenyWriteExecute"
else
  echo "check-sandbox: no MemoryDenyWriteExecute: python3 or PR_SET_MDWE (Linux 6.3+) is missing"
fi
if command -v setpriv >/dev/null 2>&1; then
  caps="--no-new-privs"
  [ "$(id -u)" -ne 0 ] || caps="$caps --bounding-set -all --inh-caps -all"
  wrap="$wrap setpriv $caps"
  confined="$confined, NoNewPrivileges$([ "$(id -u)" -ne 0 ] || echo ', CapabilityBoundingSet=')"
else
  echo "check-sandbox: no NoNewPrivileges: setpriv is missing"
fi
readonly_root=""
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
  unshare --mount sh -c 'mount --make-rprivate / && mount -o remount,bind,ro /' 2>/dev/null; then
  readonly_root=yes
  confined="$confined, a read-only / but for the state directory"
else
  echo "check-sandbox: no read-only /: that needs root and unshare"
fi

cat > "$dir/session.sh" <<'SESSION'
set -eu
licmgr() { eval "$WRAP" '"$BIN_DIR/licmgr" --config "$CONF" "$@"'; }
licmgr service add 101 --name vps101.example.com --ip 192.0.2.10 --period 1 --addon panel=Lite >/dev/null
licmgr order 101 >/dev/null
licmgr checkevent
licmgr list --json
SESSION
export BIN_DIR WRAP="$wrap" CONF="$dir/licmgr.conf"
if [ -n "$readonly_root" ]; then
  out=$(unshare --mount sh -c "mount --make-rprivate / && mount --bind '$state' '$state' &&
    mount -o remount,bind,ro / && sh '$dir/session.sh'")
else
  out=$(sh "$dir/session.sh")
fi
case $out in *'"service_id":101'*) ;; *) echo "check-sandbox: the session under $confined did not end with a license: $out" >&2; exit 1 ;; esac
echo "check-sandbox: add, order, checkevent and list work under $confined"
