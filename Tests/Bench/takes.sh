#!/bin/sh
# Serving N reuse-package services from N rested free-pool licenses (issue 19): the wall time
# of `licmgr order 1..N` at RTT ms per call with `Parallel P`, the calls by function, and the
# floor (calls x RTT / P). BIN: the directory holding licmgr and billmgr-sim; N (200), RTT
# (50), P (8). E.g. BIN=.build/debug sh Tests/Bench/takes.sh
set -eu
: "${BIN:?}"
n=${N:-200} rtt=${RTT:-50} p=${P:-8}
dir=$(mktemp -d)
sim=
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
today=$(date -u +%F)
longago=$(date -u -d '-2 months' +%F)
later=$(date -u -d '+6 months' +%F)
"$BIN/billmgr-sim" --port 0 --balance 1000000000.00 --latency "$rtt" --no-call-log --today "$today" \
    > "$dir/sim.out" 2> "$dir/sim.err" &
sim=$!
until grep -q listening "$dir/sim.out" 2> /dev/null; do sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$dir/sim.out")
base=${url%/billmgr}
printf 'Url %s\nUser reseller@example.com\nPassword secret\nDatabase %s/licmgr.db\nParallel %s\nOption ReUseLicense\nReusePrice 12\n' \
    "$url" "$dir" "$p" > "$dir/licmgr.conf"
chmod 600 "$dir/licmgr.conf"
export LICMGR_CONFIG="$dir/licmgr.conf"
awk -v n="$n" -v old="$longago" -v expiry="$later" 'BEGIN {
    printf "["
    for (i = 1; i <= n; i++)
        printf "%s{\"licname\":\"free.lic\",\"ip\":\"0.0.0.0\",\"pricelist\":\"55227\",\"status\":\"3\",\"ip_change_date\":\"%s\",\"lickey_change_date\":\"%s\",\"expiredate\":\"%s\"}", (i > 1 ? "," : ""), old, old, expiry
    printf "]" }' > "$dir/seed.json"
curl -sf -X POST --data-binary @"$dir/seed.json" "$base/sim/licenses" > /dev/null
awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":%d,\"name\":\"vps%d\",\"ip\":\"10.0.%d.%d\",\"package\":12,\"addons\":{\"panel\":\"Lite\"}}\n", i, i, int(i / 256), i % 256 }' \
    > "$dir/services.jsonl"
"$BIN/licmgr" service import "$dir/services.jsonl" > /dev/null
"$BIN/licmgr" sync > /dev/null
curl -sf -X DELETE "$base/sim/calls" > /dev/null
/usr/bin/time -f '%e' -o "$dir/time" "$BIN/licmgr" order $(seq 1 "$n") --json > "$dir/out" || echo "order exited $?"
calls=$(curl -sf "$base/sim/calls")
echo "N=$n RTT=${rtt}ms Parallel $p: wall $(cat "$dir/time") s; reused $(grep -o '"reused" : [0-9]*\|"reused":[0-9]*' "$dir/out" | head -1)"
echo "calls: $calls"
echo "$calls" | tr -d '{}" ' | tr ',' '\n' | awk -F: -v rtt="$rtt" -v p="$p" '{ s += $2 } END { printf "total calls %d, floor %d x %d ms / %d = %.2f s\n", s, s, rtt, p, s * rtt / 1000 / p }'
