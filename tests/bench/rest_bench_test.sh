#!/bin/sh
# rest_bench's create figure is a throughput only when every volume ended available: against a
# backend with no room (every create ends in error) it must report null and count the failures,
# and exit 1; against a working backend, a number and no failures.
#   rest_bench_test.sh REST_BENCH BLOCKSTORED
set -u
bench=$1 daemon=$2
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bench" --daemon "$daemon" --creates 40 --creates-only --backend-option reserved_percentage=100)
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "a run where every volume ended in error exited $rc, not 1"
echo "$out" | grep -q '"metric": "rest.create_per_s", "value": null' || fail "the failed run reported a throughput"
echo "$out" | grep -q '"failures": 40' || fail "the failed run did not count its 40 failures"
echo "$out" | grep -q '"error": 40.000' || fail "the failed run did not count 40 volumes in error"

out=$("$bench" --daemon "$daemon" --creates 40 --creates-only)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "a clean run exited $rc"
echo "$out" | grep -Eq '"metric": "rest.create_per_s", "value": [0-9]+\.[0-9]+' || fail "the clean run has no throughput"
echo "$out" | grep -q '"failures": 0.000' || fail "the clean run counted failures"
echo "ok"
