#!/usr/bin/env bash
# The one build step of the container images: publishes the gateway or the simulator, framework-dependent, into OUT.
# The Dockerfiles call it, and the test suite calls it too (tests/ModelGateway.Tests/Deploy/PublishedGateway.cs)
# and runs what it produced, so what an image ships is what CI built and tested.
#   usage: deploy/docker/build.sh gateway|simulator OUT
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-}" in
  gateway) project=src/ModelGateway/ModelGateway.csproj ;;
  simulator) project=src/ModelGateway.Simulator/ModelGateway.Simulator.csproj ;;
  *) echo "usage: $0 gateway|simulator OUT" >&2; exit 64 ;;
esac
out=${2:?usage: $0 gateway|simulator OUT}

# UseAppHost=false: the image runs "dotnet X.dll"; no native launcher is needed or shipped.
dotnet publish "$project" -c Release -o "$out" --nologo -v quiet -p:UseAppHost=false
