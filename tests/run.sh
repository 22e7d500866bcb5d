#!/usr/bin/env bash
# Runs the whole test suite. This is the command README.md gives and .ci/run calls.
# It sets up whatever the tests need on a fresh machine, and cleans up after itself.
set -uo pipefail
cd "$(dirname "$0")/.."

# Prometheus, for the dashboard test (tests/ModelGateway.Tests/Telemetry/PrometheusDashboardTests.cs).
if ! command -v prometheus >/dev/null 2>&1 && [ ! -x /usr/bin/prometheus ]; then
  echo "Installing prometheus (Debian package) for the telemetry tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || echo "WARNING: could not install prometheus; the Prometheus dashboard test will fail." >&2
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# The official provider SDKs (npm) that check the simulator's native wire formats; the test also installs them if needed.
if command -v npm >/dev/null 2>&1; then
  (cd tests/sdk-check && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed; OfficialSdkTests will retry it"
fi

dotnet test ModelGateway.sln -c Release --nologo \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" \
  --results-directory "$results" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

# One summary line over every test assembly, in the plain form CI reads: "N passed, N failed, N skipped".
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  attr() { local v; v=$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout)))
  skipped=$((skipped + $(attr notExecuted)))
done
# The load benchmark must keep working: a short smoke run, no timed assertion (figures are in docs/benchmarks.md).
if [ "${SKIP_LOAD_SMOKE:-0}" != 1 ]; then
  bash tests/load/run.sh --quick >"$results/load-smoke.md" 2>&1 || { echo "load benchmark smoke run failed:"; tail -20 "$results/load-smoke.md"; status=1; }
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
