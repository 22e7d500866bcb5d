#!/usr/bin/env bash
# Load benchmark: the same load against the upstream directly, a plain YARP hop, and ModelGateway.
# One command, from the repository root:   bash tests/load/run.sh            (full run, ~8 minutes)
#                                           bash tests/load/run.sh --quick    (smoke run: it works; figures not steady)
#                                           bash tests/load/run.sh --soak 600 (RSS of the gateway over 600 s at 400 req/s)
# Targets: the upstream directly, a plain YARP pass-through, ModelGateway with PRODUCTION settings
# (tests/load/gateway.json: request log line at Information written to a file, Prometheus on and scraped every
# second, two deployments and a `cheapest` rule, content detectors on), ModelGateway lean (gateway-lean.json: log at
# Warning, one deployment, no rule, no metrics endpoint) to show what those features cost, and production settings
# plus quotas in a real redis-server (limits set, never reached: the check runs on every request).
# Ratios are to the plain YARP hop measured in the same run; ttft = time to the first content event of a stream.
# modelgateway-responses: production settings, POST /v1/responses streamed (store: false) on the translated path
# (the bench deployments do not speak Responses, so the gateway asks the upstream for chat completions and renders
# Responses events); its ttft is the first response.output_text.delta, its ratio is to YARP's chat stream.
# Writes a markdown table to stdout and to artifacts/load/results.md. Everything binds to 127.0.0.1.
# The load generator and the upstream run on CPU 0, each proxy on CPU 1 (taskset), so figures are per core.
set -euo pipefail
cd "$(dirname "$0")/../.."

QUICK=0; SOAK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --soak) SOAK=${2:?--soak needs seconds}; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [ "$QUICK" = 1 ]; then WARM=3; SEQ=3; SAT=5; TTFT_N=100; else WARM=40; SEQ=10; SAT=20; TTFT_N=2000; fi
RATE=200; UPSTREAM_PORT=18080; YARP_PORT=18090; GATEWAY_PORT=18095; REDIS_PORT=18379; PG_PORT=18432
OUT=artifacts/load; mkdir -p "$OUT"
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

missing=""
command -v wrk >/dev/null || missing="$missing wrk"
command -v redis-server >/dev/null || missing="$missing redis-server"
command -v hey >/dev/null || missing="$missing hey"
if [ -n "$missing" ]; then
  echo "installing$missing (Debian packages)..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null
fi
if [ "$(nproc)" -ge 2 ]; then PIN_LOAD="taskset -c 0"; PIN_PROXY="taskset -c 1"; else PIN_LOAD=""; PIN_PROXY=""; fi

for port in $UPSTREAM_PORT $YARP_PORT $GATEWAY_PORT $REDIS_PORT $PG_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is already in use; stop what listens there first" >&2; exit 1
  fi
done

echo "building (Release)..." >&2
for project in src/ModelGateway.Simulator src/ModelGateway tests/load/YarpPassThrough; do
  dotnet build "$project" -c Release --nologo -v quiet >/dev/null
done

wait_ready() { # url
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "not ready: $1" >&2; exit 1
}

# Upstream: the simulator with recording off, no delays; 20 chunks for streams.
$PIN_LOAD dotnet src/ModelGateway.Simulator/bin/Release/net10.0/ModelGateway.Simulator.dll \
  --urls "http://127.0.0.1:$UPSTREAM_PORT" --Simulator:RecordRequests=false --Simulator:DefaultChunks=20 \
  --Logging:LogLevel:Default=Warning >"$OUT/upstream.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$UPSTREAM_PORT/v1/models"

BODY='{"model":"bench-model","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Summarise the benefits of a gateway in one line."}],"max_tokens":64}'
STREAM_BODY='{"model":"bench-model","stream":true,"messages":[{"role":"user","content":"Stream twenty words."}]}'
lua() { # body -> wrk script
  local file; file=$(mktemp --suffix=.lua)
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer mg-bench-key"\nwrk.body = [[%s]]\n' "$1" >"$file"
  echo "$file"
}
RESPONSES_BODY='{"model":"bench-model","stream":true,"store":false,"input":"Stream twenty words."}'
PLAIN_LUA=$(lua "$BODY"); STREAM_LUA=$(lua "$STREAM_BODY"); RESPONSES_LUA=$(lua "$RESPONSES_BODY")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }
peak_mb() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$1/status"; }
p() { # wrk output, percentile label -> ms
  awk -v want="$2" '$1 == want { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; printf "%.3f", v }' <<<"$1"
}
hey_p() { awk -v want="$2%" '$1 == want && $2 == "in" {printf "%.3f", $3 * 1000}' <<<"$1"; } # hey output, percentile -> ms
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$1"; }
errors() { awk '/Non-2xx|Socket errors/ {n += $NF} END {print n + 0}' <<<"$1"; }
hey_errors() { awk '/^Status code distribution/ {on = 1; next} on && /\[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); if ($1 != 200) n += $2} /^Error distribution/ {on = 0} END {print n + 0}' <<<"$1"; }

# measure NAME URL PID: one table row for plain and one for streaming.
ROWS=(); STREAM_ROWS=(); YARP_RPS=""; YARP_STREAM_RPS=""
ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo "-"; }
measure() {
  local name=$1 url=$2 pid=$3 hz; hz=$(getconf CLK_TCK)
  $PIN_LOAD wrk -t2 -c32 -d"${WARM}s" -s "$PLAIN_LUA" "$url" >/dev/null
  warm_at_rate "$url" "$BODY"
  local seq sat before after cpu_us rate
  seq=$($PIN_LOAD wrk -t1 -c1 -d"${SEQ}s" --latency -s "$PLAIN_LUA" "$url")
  # A fixed, moderate rate (4 connections x RATE/4 req/s): the latency a client sees while the gateway has headroom,
  # which is when a shadow experiment really runs (it yields above MaxGatewayCpu, so at saturation it sheds).
  rate=$($PIN_LOAD hey -z "${SEQ}s" -q $((RATE / 4)) -c 4 -m POST -T application/json -H "Authorization: Bearer mg-bench-key" -d "$BODY" "$url")
  before=$(cpu_ticks "$pid")
  sat=$($PIN_LOAD wrk -t2 -c32 -d"${SAT}s" --latency -s "$PLAIN_LUA" "$url")
  after=$(cpu_ticks "$pid")
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$sat")
  cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.0f", (t / hz) * 1e6 / (n > 0 ? n : 1) }')
  [ "$name" = yarp ] && YARP_RPS=$(rps "$sat")
  ROWS+=("| $name | $(p "$seq" 50%) | $(p "$seq" 99%) | $(hey_p "$rate" 50) | $(hey_p "$rate" 99) | $(rps "$sat") | $(ratio "$(rps "$sat")" "$YARP_RPS") | $(p "$sat" 50%) | $(p "$sat" 99%) | $cpu_us | $(rss_mb "$pid") | $(( $(errors "$seq$sat") + $(hey_errors "$rate") )) |")
  measure_stream "$name" "$url" "$pid" "$STREAM_LUA" "$STREAM_BODY"
}

# warm_at_rate URL BODY: the saturation warm-up sheds shadow work (it yields above half the CPU), so code that only
# runs with headroom (the shadow path, then its streaming side) would first be compiled while being measured.
warm_at_rate() {
  [ "$QUICK" = 1 ] || $PIN_LOAD hey -z "${SEQ}s" -q $((RATE / 4)) -c 4 -m POST -T application/json \
    -H "Authorization: Bearer mg-bench-key" -d "$2" "$1" >/dev/null
}

# measure_stream NAME URL PID LUA BODY: one streaming table row (ttft.py picks the body by the URL's path).
measure_stream() {
  local name=$1 url=$2 pid=$3 script=$4 sseq ssat ttft
  warm_at_rate "$url" "$5"
  ttft=$($PIN_LOAD python3 tests/load/ttft.py "$url" "$TTFT_N")
  sseq=$($PIN_LOAD wrk -t1 -c1 -d"${SEQ}s" --latency -s "$script" "$url")
  ssat=$($PIN_LOAD wrk -t2 -c32 -d"${SAT}s" --latency -s "$script" "$url")
  [ "$name" = yarp ] && YARP_STREAM_RPS=$(rps "$ssat")
  STREAM_ROWS+=("| $name | ${ttft% *} | ${ttft#* } | $(p "$sseq" 50%) | $(p "$sseq" 99%) | $(rps "$ssat") | $(ratio "$(rps "$ssat")" "$YARP_STREAM_RPS") | $(p "$ssat" 50%) | $(p "$ssat" 99%) | $(peak_mb "$pid") | $(errors "$sseq$ssat") |")
}

start_gateway() { # config file, extra args...
  local config=$1; shift
  $PIN_PROXY dotnet src/ModelGateway/bin/Release/net10.0/ModelGateway.dll --urls "http://127.0.0.1:$GATEWAY_PORT" \
    --config "$config" "$@" >"$OUT/gateway.log" 2>&1 &
  gateway=$!; PIDS+=($gateway)
  wait_ready "http://127.0.0.1:$GATEWAY_PORT/healthz"
}

# Production settings include a Prometheus server scraping the gateway; one scrape a second (15 s is usual) is the harsh case.
start_scraper() {
  ( while :; do curl -fs -o /dev/null "http://127.0.0.1:$GATEWAY_PORT/metrics" || true; sleep 1; done ) &
  scraper=$!; PIDS+=($scraper)
}

if [ "$SOAK" != 0 ]; then
  echo "soak: ${SOAK}s at 400 req/s against modelgateway..." >&2
  start_gateway tests/load/gateway.json
  start_scraper
  $PIN_LOAD wrk -t2 -c32 -d"${WARM}s" -s "$PLAIN_LUA" "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" >/dev/null
  $PIN_LOAD hey -z "${SOAK}s" -q 100 -c 4 -m POST -T application/json -H "Authorization: Bearer mg-bench-key" -d "$BODY" \
    "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" >"$OUT/soak-hey.txt" &
  hey_pid=$!
  {
    echo "# Soak: RSS of the gateway every 30 s at 400 req/s for ${SOAK} s"
    echo
    echo "| seconds | RSS MB |"
    echo "|---|---|"
    elapsed=0
    while kill -0 "$hey_pid" 2>/dev/null; do
      echo "| $elapsed | $(rss_mb "$gateway") |"
      sleep 30; elapsed=$((elapsed + 30))
    done
    echo
    grep -E "Requests/sec|^  \[[0-9]{3}\]" "$OUT/soak-hey.txt" | sed "s/^/    /"
  } | tee "$OUT/soak.md"
  exit 0
fi

echo "measuring direct..." >&2
measure direct "http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions" "${PIDS[0]}"

echo "measuring yarp..." >&2
UPSTREAM="http://127.0.0.1:$UPSTREAM_PORT/" YARP_PORT=$YARP_PORT $PIN_PROXY \
  dotnet tests/load/YarpPassThrough/bin/Release/net10.0/YarpPassThrough.dll >"$OUT/yarp.log" 2>&1 &
yarp=$!; PIDS+=($yarp)
wait_ready "http://127.0.0.1:$YARP_PORT/v1/models"
measure yarp "http://127.0.0.1:$YARP_PORT/v1/chat/completions" "$yarp"
kill "$yarp"

echo "measuring modelgateway (production settings)..." >&2
start_gateway tests/load/gateway.json
start_scraper
measure modelgateway "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$gateway"
echo "measuring modelgateway /v1/responses (translated, production settings)..." >&2
measure_stream modelgateway-responses "http://127.0.0.1:$GATEWAY_PORT/v1/responses" "$gateway" "$RESPONSES_LUA" "$RESPONSES_BODY"
kill "$scraper" "$gateway"; wait "$gateway" 2>/dev/null || true
LOG_LINES=$(grep -c ' POST /v1/chat/completions 200 ' "$OUT/gateway.log" || true)

echo "measuring modelgateway-lean..." >&2
start_gateway tests/load/gateway-lean.json
measure modelgateway-lean "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$gateway"
kill "$gateway"; wait "$gateway" 2>/dev/null || true

echo "measuring modelgateway with Redis quotas..." >&2
$PIN_LOAD redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
start_gateway tests/load/gateway.json --ModelGateway:Quotas:Redis="127.0.0.1:$REDIS_PORT" \
  --ModelGateway:Keys:bench:Limits:RequestsPerMinute=1000000000 --ModelGateway:Keys:bench:Limits:TokensPerMinute=1000000000000 \
  --ModelGateway:Keys:bench:Limits:UsdPerDay=1000000
start_scraper
measure modelgateway-redis "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$gateway"
# Wait for the drain to finish: the next row starts a gateway on the same port and log file.
kill "$scraper" "$gateway"; wait "$gateway" 2>/dev/null || true

# Production settings plus a shadow experiment sampling 100% of the traffic (gateway-shadow.json): every request is
# also sent to a candidate in the background and compared. The client's figures must match the production row's.
# Shadowing yields to live traffic: above the experiment's MaxGatewayCpu (0.5) sampled requests are dropped and
# counted, never waited for, so at saturation it sheds and at the fixed rate it runs for (nearly) every request.
echo "measuring modelgateway with a 100% shadow experiment..." >&2
start_gateway tests/load/gateway-shadow.json
start_scraper
measure modelgateway-shadow "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$gateway"
SHADOW_CALLS=$(curl -fs "http://127.0.0.1:$GATEWAY_PORT/metrics" | awk '/^modelgateway_experiment_calls_total/ {n += $NF} END {printf "%d", n}' || true)
SHADOW_DROPPED=$(curl -fs "http://127.0.0.1:$GATEWAY_PORT/metrics" | awk '/^modelgateway_experiment_dropped/ {n += $NF} END {printf "%d", n}' || true)
kill "$scraper" "$gateway"; wait "$gateway" 2>/dev/null || true

# Production settings with the ledger in PostgreSQL (rows written by binary COPY off the request path) instead of
# the embedded SQLite; skipped where PostgreSQL is not installed (tests/run.sh installs it).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
PG_ROWS="not measured (PostgreSQL not installed)"
if [ -n "$PG_BIN" ]; then
  echo "measuring modelgateway with the PostgreSQL ledger..." >&2
  pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  PG_DATA=$(mktemp -d /tmp/mg-load-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
  pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
    -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1" start >/dev/null
  stop_pg() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PG_DATA"; }
  trap 'cleanup; stop_pg' EXIT INT TERM
  taskset -pc 0 "$(head -1 "$PG_DATA/postmaster.pid")" >/dev/null 2>&1 || true
  export MG_LOAD_LEDGER_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
  start_gateway tests/load/gateway.json --ModelGateway:Ledger:Provider=postgres --ModelGateway:Ledger:ConnectionString=env:MG_LOAD_LEDGER_PG
  start_scraper
  measure modelgateway-postgres "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$gateway"
  kill "$scraper" "$gateway"; wait "$gateway" 2>/dev/null || true
  PG_ROWS="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT count(*) FROM request_log" 2>/dev/null || echo "?") rows in request_log"
  stop_pg
fi

{
  echo "# Load benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "host: $(nproc) cpus, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); $(dotnet --version); $(wrk -v 2>&1 | head -1 | cut -c1-20)"
  echo "load: warm-up ${WARM}s at saturation then ${SEQ}s at ${RATE} req/s (streams too); seq = wrk -t1 -c1 ${SEQ}s; ${RATE}/s = hey -c4 at a fixed ${RATE} req/s for ${SEQ}s; sat = wrk -t2 -c32 ${SAT}s; ttft = $TTFT_N sequential streams; quick=$QUICK"
  echo "modelgateway = production settings (request log at Information to a file: $LOG_LINES request lines written; Prometheus"
  echo "scraped every second; two deployments and a cheapest rule; detectors on); modelgateway-lean = gateway-lean.json;"
  echo "modelgateway-redis = production settings plus Redis quotas (limits set, never reached);"
  echo "modelgateway-shadow = production settings plus a shadow experiment sampling every request ($SHADOW_CALLS shadow calls made, $SHADOW_DROPPED sampled"
  echo "requests dropped: shadowing yields while the gateway is above half its CPU, so it runs at ${RATE}/s and sheds at saturation);"
  echo "modelgateway-postgres = production settings with the ledger in PostgreSQL instead of SQLite ($PG_ROWS after the run);"
  echo "modelgateway-responses = production settings, POST /v1/responses streamed (store: false) translated to chat"
  echo "completions upstream; its ttft is the first response.output_text.delta event and its ratio is to YARP's chat stream."
  echo
  echo "## Non-streaming (POST /v1/chat/completions)"
  echo
  echo "| target | seq p50 ms | seq p99 ms | ${RATE}/s p50 ms | ${RATE}/s p99 ms | sat req/s | vs yarp | sat p50 ms | sat p99 ms | CPU us/req | RSS MB | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "## Streaming (20 chunks + [DONE]; modelgateway-responses: 20 output_text deltas and response.completed)"
  echo
  echo "| target | ttft p50 ms | ttft p99 ms | seq p50 ms | seq p99 ms | sat req/s | vs yarp | sat p50 ms | sat p99 ms | peak RSS MB | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${STREAM_ROWS[@]}"
} | tee "$OUT/results.md"
