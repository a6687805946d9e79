#!/usr/bin/env bash
# Runs every test suite: unit, service, HTTP and component tests (App.Tests) and the browser
# tests in Debian's Chromium (App.E2E), each against its own private PostgreSQL cluster.
# Installs what is missing first (postgresql, chromium, npm packages, NuGet packages).
set -uo pipefail
cd "$(dirname "$0")/.."

SIGNALBOOK_SETUP_BROWSER=1 bash scripts/setup.sh || exit 1

echo "[test] Building the solution (Release, warnings are errors)"
dotnet build Blazor.sln -c Release --nologo -v quiet || exit 1

# Every PostgreSQL server the suites start lives in a folder named signalbook-tests-* or signalbook-e2e-* under the
# temp directory; the fixtures (and their watchdogs) stop them. This lists any still running.
leftover_servers() { pgrep -a -f "postgres.*-D [^ ]*signalbook-(tests|e2e)-" 2>/dev/null | grep -v pgrep || true; }
stop_leftovers() {
  for dir in $(leftover_servers | grep -o -- "-D [^ ]*" | cut -d' ' -f2 | sort -u); do
    runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true
  done
}
trap 'echo "[test] Interrupted: stopping the test servers"; pkill -INT -f "testhost" 2>/dev/null; sleep 3; stop_leftovers; exit 130' INT TERM

results=artifacts/test-results
rm -rf "$results" artifacts/screenshots
mkdir -p "$results"
status=0
# One suite after the other: on two cores the suites side by side took as long as in turn (each is CPU-bound) and made
# the browser suite's waits race the unit suite for the processor. Each line says which suite wrote it.
run_suite() {
  local suite=$1
  dotnet test "$suite/$suite.csproj" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$suite.trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 \
    | sed -u "s/^/[$suite] /"
  return "${PIPESTATUS[0]}"
}
for suite in App.Tests App.E2E; do
  echo "[test] $suite"
  start=$SECONDS
  run_suite "$suite" || status=1
  echo "[test] $suite took $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
done

# Nothing the suites started may outlive them (the watchdogs need a moment after the test hosts exit).
for _ in $(seq 1 20); do [ -z "$(leftover_servers)" ] && break; sleep 1; done
if [ -n "$(leftover_servers)" ]; then
  echo "[test] PostgreSQL servers started by the tests are still running:" >&2
  leftover_servers >&2
  stop_leftovers
  status=1
else
  echo "[test] No PostgreSQL server started by the tests is still running."
fi

# One closing line over all suites, from the TRX counters.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
  echo "[test] $(basename "$trx" .trx): ${p:-0} passed, ${f:-0} failed"
done
# A suite can fail with every test passed (a fixture's cleanup threw, a test host crashed): the TRX's run errors say why.
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
  perl scripts/trx-failures.pl "$results"/*.trx
  # What the browser suites' apps logged as errors (each entry with its indented lines), the newest last.
  for log in "$results"/app-*.log; do
    [ -f "$log" ] || continue
    errors=$(awk '/^(fail|crit): /{keep=8; print; next} keep>0 && /^ /{keep--; print; next} {keep=0}' "$log" | tail -n 80)
    [ -n "$errors" ] && printf '[test] Errors logged by %s:\n%s\n' "$(basename "$log")" "$errors"
  done
fi
echo "Screenshots of every page the browser tests visited: artifacts/screenshots/"
if [ "$passed" -eq 0 ]; then echo "No test ran." >&2; status=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
