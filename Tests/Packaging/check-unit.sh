#!/bin/sh
# The service unit's exposure under systemd-analyze security stays below 2 (of 10), and both
# units parse. Skipped where systemd-analyze is absent (it comes with systemd).
set -eu
limit=2.0
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-unit: skipped: systemd-analyze is not installed"
  exit 0
fi
report=$(systemd-analyze security --offline=yes etc/licmgr-checkevent.service 2>&1) || {
  echo "$report" >&2
  exit 1
}
score=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
  echo "check-unit: no score in systemd-analyze's report:" >&2
  echo "$report" >&2
  exit 1
fi
if ! awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s < l) }'; then
  printf '%s\n' "$report" | grep -v '✓' >&2
  echo "check-unit: exposure $score, not below $limit" >&2
  exit 1
fi
# verify would also look for the binary, which need not be installed here.
errors=$(systemd-analyze verify --man=no etc/licmgr-checkevent.service etc/licmgr-checkevent.timer 2>&1 |
  grep -v 'is not executable: No such file' || true)
if [ -n "$errors" ]; then
  echo "check-unit: systemd-analyze verify:" >&2
  echo "$errors" >&2
  exit 1
fi
echo "check-unit: licmgr-checkevent.service exposure $score (below $limit); the units verify"
