#!/usr/bin/env bash
# Runs every test (`make test`, after `swift build --build-tests`) as two processes at once:
#
# - the modules of pure logic (no server, no cluster: state transitions, MPC, policy, the log's
#   consensus) in one test process at the lowest CPU priority (nice 19), which prints to
#   PURE_LOG and is shown at the end;
# - everything else through `swift test`: the suites that start servers, which take turns
#   (`.exclusiveProcesses`) and spend much of each turn waiting on their processes, with the
#   tests that run beside them.
#
# On two cores the pure modules used to take both cores for the first minutes while every suite
# with servers waited; niced, they use the cores the clusters leave idle and yield them when a
# cluster needs them. A test of one process shares nothing with the other's: servers, ports,
# token folders and data folders are each test's own.
set -uo pipefail
cd "$(dirname "$0")/.."
swift="${SWIFT:-swift}"
bin="$("$swift" build --show-bin-path)"
pure='^(CustosCoreTests|CustosCryptoTests|CustosMPCTests|CustosPolicyTests|CustosLedgerTests|CustosStateTests|CustosIdentityTests|CustosSigningTests|CustosBackupTests|CustosOfflineTests|CustosNodeTests)\.'
log="${PURE_LOG:-$bin/pure-tests.log}"

# The package's tests run from one binary; `swift test` holds a lock on the build folder, so
# the second process runs the binary itself, as `swift test` does.
nice -n 19 "$bin/CustosPackageTests.xctest" --testing-library swift-testing --filter "$pure" >"$log" 2>&1 &
pure_pid=$!
trap 'kill "$pure_pid" 2>/dev/null' EXIT INT TERM

"$swift" test --skip-build --skip "$pure"
rest=$?
wait "$pure_pid"
pure_status=$?
trap - EXIT INT TERM

echo
echo "=== The modules of pure logic, run niced beside the above ($log):"
cat "$log"
echo
echo "=== make test: servers and the rest exited $rest; the modules of pure logic exited $pure_status."
[ "$rest" -eq 0 ] && [ "$pure_status" -eq 0 ]
