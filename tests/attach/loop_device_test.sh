#!/bin/sh
# Runs attach_test's loop-device case, which the binary's own run skips: loop devices need root.
# Exits 77 (CTest: skipped) where it cannot run — or 1 when BS_REQUIRE_LOOP_DEVICE=1 says it
# must — and fails unless exactly that one case ran and passed.
#   loop_device_test.sh ATTACH_TEST_BINARY
set -u
if [ "$(id -u)" != 0 ] || [ ! -w /dev/loop-control ]; then
  echo "loop devices need root and a writable /dev/loop-control"
  [ "${BS_REQUIRE_LOOP_DEVICE:-0}" = 1 ] && exit 1
  exit 77
fi
out=$("$1" --no-skip --test-case='the local connector can hand the host a loop device' 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || exit $rc
printf '%s\n' "$out" | grep -Eq 'test cases: +1 \| +1 passed \| +0 failed' || {
  echo "the loop-device case did not run exactly once"
  exit 1
}
