#!/usr/bin/env bash
# Quick start: the provider SIMULATOR on 127.0.0.1:8081 and the gateway on 127.0.0.1:8080, embedded defaults
# (no Redis, in-memory usage ledger). Ctrl-C stops both. Needs only the .NET 10 SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:8080}
SIMULATOR_URL=${SIMULATOR_URL:-http://127.0.0.1:8081}
CONFIG=${MODELGATEWAY_CONFIG:-deploy/quickstart/gateway.json}

dotnet build src/ModelGateway.Simulator -c Release --nologo -v quiet
dotnet build src/ModelGateway -c Release --nologo -v quiet

dotnet src/ModelGateway.Simulator/bin/Release/net10.0/ModelGateway.Simulator.dll --urls "$SIMULATOR_URL" &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT INT TERM

dotnet src/ModelGateway/bin/Release/net10.0/ModelGateway.dll --urls "$GATEWAY_URL" --config "$CONFIG"
