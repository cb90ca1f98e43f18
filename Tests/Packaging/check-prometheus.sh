#!/bin/sh
# promtool on what licmgr ships for Prometheus: the metrics file a real session against
# billmgr-sim writes (promtool check metrics: names, types, base units), the alerting rules
# (promtool check rules) and their unit tests (promtool test rules); and every metric the
# rules and the Grafana dashboard name is one that file holds. BIN_DIR holds licmgr and
# billmgr-sim; run from the source tree.
set -eu
: "${BIN_DIR:?BIN_DIR must name the directory of licmgr and billmgr-sim}"
command -v promtool >/dev/null 2>&1 || {
  echo "check-prometheus: promtool is missing: make setup installs Debian's prometheus package" >&2
  exit 1
}
rules=etc/prometheus/licmgr.rules.yml
dashboard=etc/grafana/licmgr.json
dir=$(mktemp -d)
. Tests/Packaging/simulator.sh
start_simulator check-prometheus
base=${url%/billmgr}
metrics="$dir/licmgr.prom"
config() {
  printf 'Url %s\nUser reseller@example.com\nPassword secret\nDatabase %s/licmgr.db\nMetricsFile %s\n' \
    "$1" "$dir" "$metrics" > "$dir/licmgr.conf"
  chmod 600 "$dir/licmgr.conf"
}
licmgr() { "$BIN_DIR/licmgr" --config "$dir/licmgr.conf" "$@"; }

# A session with something in every family: a catalogue, orders, a license expiring in 3 days,
# a failed run, and an operator's typo.
config "$url"
soon=$(date -u -d '+3 days' +%F)
printf '[{"licname": "Item #2 addon vps2", "ip": "192.0.2.2", "pricelist": "55227", "period": "1", "expiredate": "%s"}]' \
  "$soon" > "$dir/seed.json"
curl -sf -X POST --data-binary @"$dir/seed.json" "$base/sim/licenses" > /dev/null
licmgr -q import-tariffs > /dev/null
licmgr -q service add 1 --name vps1 --ip 192.0.2.1 --addon panel=Lite
licmgr -q service add 2 --name vps2 --ip 192.0.2.2 --addon panel=Lite
licmgr -q checkevent
licmgr -q order 999 2> /dev/null && { echo "check-prometheus: order 999 did not fail" >&2; exit 1; }
config "http://127.0.0.1:1/billmgr"
licmgr -q checkevent 2> /dev/null && { echo "check-prometheus: a checkevent without a remote succeeded" >&2; exit 1; }

echo "check-prometheus: promtool check metrics on the file a real run wrote"
promtool check metrics < "$metrics"
grep -q '^licmgr_license_expiry_timestamp_seconds{license="[0-9]*",service="2"} ' "$metrics" || {
  echo "check-prometheus: no expiry for the license expiring on $soon:" >&2; cat "$metrics" >&2; exit 1
}
grep -q '^licmgr_last_run_exit_code{command="checkevent"} 69$' "$metrics" || {
  echo "check-prometheus: the failed checkevent is not the last run:" >&2; cat "$metrics" >&2; exit 1
}
if grep -q 'command="order"' "$metrics"; then
  echo "check-prometheus: the typo 'order 999' counts as a run:" >&2; cat "$metrics" >&2; exit 1
fi
missing=""
for name in $(grep -oh 'licmgr_[a-z0-9_]*' "$rules" etc/prometheus/licmgr.rules.test.yml "$dashboard" | sort -u); do
  grep -q "^# TYPE $name " "$metrics" || missing="$missing $name"
done
[ -z "$missing" ] || { echo "check-prometheus: named by the rules or the dashboard, not written by licmgr:$missing" >&2; exit 1; }

promtool check rules "$rules"
(cd etc/prometheus && promtool test rules licmgr.rules.test.yml)
if command -v python3 >/dev/null 2>&1; then
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["panels"], "no panels"' "$dashboard"
  echo "check-prometheus: $dashboard is a dashboard of JSON"
else
  echo "check-prometheus: python3 is missing: $dashboard not parsed"
fi
