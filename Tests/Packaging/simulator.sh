# Sourced by the packaging checks: starts "$BIN_DIR/billmgr-sim" on a free loopback port with its
# output in "$dir", kills it (and removes "$dir") when the script exits, and sets `url` once it
# listens. $1 names the check in the one line said when it does not start.
start_simulator() {
  "$BIN_DIR/billmgr-sim" --port 0 > "$dir/sim.out" 2> "$dir/sim.err" < /dev/zero &
  sim=$!
  trap 'status=$?; kill -9 $sim 2>/dev/null; wait $sim 2>/dev/null || true; rm -rf "$dir"; exit $status' EXIT
  tries=0
  until grep -q listening "$dir/sim.out" 2>/dev/null; do
    tries=$((tries + 1))
    [ $tries -le 100 ] || { echo "$1: billmgr-sim did not start:" >&2; cat "$dir/sim.err" >&2; exit 1; }
    sleep 0.1
  done
  url=$(sed -n 's/.*listening on //p' "$dir/sim.out")
}
