#!/usr/bin/env bash
# Quick start: the provider SIMULATOR on 127.0.0.1:8081 and the gateway on 127.0.0.1:8080, embedded defaults
# (no Redis; spend and the request log in data/ledger.db, SQLite). Ctrl-C stops both. Needs only the .NET 10 SDK.
# For trying the gateway only: the configuration's client key (mg-quickstart-key) is public, and its deployments
# are the simulator. Do not copy it to production as it is (see docs/configuration.md).
set -euo pipefail
cd "$(dirname "$0")/.."

GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:8080}
SIMULATOR_URL=${SIMULATOR_URL:-http://127.0.0.1:8081}
CONFIG=${MODELGATEWAY_CONFIG:-deploy/quickstart/gateway.json}
GATEWAY_DLL=src/ModelGateway/bin/Release/net10.0/ModelGateway.dll
SIMULATOR_DLL=src/ModelGateway.Simulator/bin/Release/net10.0/ModelGateway.Simulator.dll

say() { printf '[quickstart] %s\n' "$*" >&2; }

say "building the simulator and the gateway (Release)..."
dotnet build src/ModelGateway.Simulator -c Release --nologo -v quiet
dotnet build src/ModelGateway -c Release --nologo -v quiet

say "checking $CONFIG..."
dotnet "$GATEWAY_DLL" validate --config "$CONFIG" >&2

say "starting the provider simulator (not a real model) on $SIMULATOR_URL..."
dotnet "$SIMULATOR_DLL" --urls "$SIMULATOR_URL" &
simulator=$!
gateway=
trap 'kill $simulator $gateway 2>/dev/null || true' EXIT INT TERM

say "starting the gateway on $GATEWAY_URL with $CONFIG..."
dotnet "$GATEWAY_DLL" --urls "$GATEWAY_URL" --config "$CONFIG" &
gateway=$!

# Ready when the gateway answers its readiness probe (a minute at most; the first start compiles a lot).
for _ in $(seq 1 120); do
  if ! kill -0 "$gateway" 2>/dev/null; then
    say "the gateway stopped; see the messages above."
    exit 1
  fi
  if curl -fsS -o /dev/null "$GATEWAY_URL/readyz" 2>/dev/null; then
    cat >&2 <<READY
[quickstart] ready. First request (the simulator answers; Ctrl-C stops both):

curl -s $GATEWAY_URL/v1/chat/completions \\
  -H "Authorization: Bearer mg-quickstart-key" \\
  -H "Content-Type: application/json" \\
  -d '{"model":"qwen3","messages":[{"role":"user","content":"Hello!"}]}'

[quickstart] mg-quickstart-key is public: before production, remove it and the simulator deployments (docs/configuration.md).
READY
    wait "$gateway"
    exit $?
  fi
  sleep 0.5
done

say "the gateway did not answer $GATEWAY_URL/readyz within 60 s."
exit 1
