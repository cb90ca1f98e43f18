#!/bin/sh
# Coverage-guided fuzzing of licmgr's readers of outside input (issue 18): libFuzzer runs each
# harness of licmgr-fuzz (Tests/Fuzz/Harness) for FUZZ_SECONDS, starting from the committed
# seeds in Tests/Fuzz/corpus/HARNESS and what earlier runs found in .build-fuzz/corpus/HARNESS,
# with the words of its input from Tests/Fuzz/dict/HARNESS.dict.
#
#   FUZZ_BIN        licmgr-fuzz built with -sanitize=fuzzer,address (make fuzz builds and sets it)
#   FUZZ_SECONDS    seconds per harness (default 20)
#   FUZZ_HARNESSES  which to run (default all: config import remote money day cells)
#
# A crash, an input slower than 10 s or one that takes more than 2 GB is a finding: the input
# is saved under .build-fuzz/findings, the others still run, and the script fails at the end.
# To keep a finding: replay it with the plain build (`licmgr-fuzz HARNESS FILE`), fix the
# reader, add a unit test in Tests/LicmgrCoreTests that feeds it and asserts the error, and put
# the file under Tests/Fuzz/corpus/HARNESS, which make test replays.
set -eu

: "${FUZZ_BIN:?set FUZZ_BIN to licmgr-fuzz built with -sanitize=fuzzer,address}"
seconds=${FUZZ_SECONDS:-20}
harnesses=${FUZZ_HARNESSES:-config import remote money day cells}
work=.build-fuzz
mkdir -p "$work/findings"
failed=""

# The runtime's backtracer would attach to the crash the fuzzer provoked and may hang for good.
export SWIFT_BACKTRACE=enable=no

for harness in $harnesses; do
    mkdir -p "$work/corpus/$harness"
    log="$work/$harness.log"
    # The words of its input, which random mutation alone would take long to spell.
    dict=""
    [ ! -f "Tests/Fuzz/dict/$harness.dict" ] || dict="-dict=Tests/Fuzz/dict/$harness.dict"
    if "$FUZZ_BIN" "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        $dict -artifact_prefix="$work/findings/$harness-" "$work/corpus/$harness" "Tests/Fuzz/corpus/$harness" \
        > "$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        kept=$(ls "$work/corpus/$harness" | wc -l)
        printf '%-7s %9s runs in %s s, %6s/s, %5s inputs in its corpus\n' "$harness" "$runs" "$seconds" "$rate" $kept
    else
        echo "$harness: FINDING (the end of $log):"
        grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|INITED)' "$log" | tail -25
        failed="$failed $harness"
    fi
done

if [ -n "$failed" ]; then
    echo "findings in:$failed; the inputs are in $work/findings"
    exit 1
fi
