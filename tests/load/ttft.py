#!/usr/bin/env python3
"""Time to first token through one target: the time from sending a streamed chat request on a warm keep-alive
connection to reading its first content event (not the response headers, not the whole stream). A URL ending in
/responses sends a streamed Responses API request instead (store: false, as Codex sends) and waits for its first
response.output_text.delta event.

usage: ttft.py URL COUNT [WARMUP]   -> prints "p50_ms p99_ms" (milliseconds, three decimals)
"""
import http.client
import json
import sys
import time
import urllib.parse

BODY = json.dumps({
    "model": "bench-model",
    "stream": True,
    "messages": [{"role": "user", "content": "Stream twenty words."}],
}).encode()
RESPONSES_BODY = json.dumps({
    "model": "bench-model",
    "stream": True,
    "store": False,
    "input": "Stream twenty words.",
}).encode()
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer mg-bench-key"}


def one(conn, path):
    responses = path.endswith("/responses")
    body, marker = (RESPONSES_BODY, b'"response.output_text.delta"') if responses else (BODY, b'"content"')
    start = time.perf_counter()
    conn.request("POST", path, body=body, headers=HEADERS)
    response = conn.getresponse()
    if response.status != 200:
        raise SystemExit(f"status {response.status}: {response.read()[:200]!r}")
    first = None
    while True:
        line = response.readline()
        if not line:
            break
        if first is None and line.startswith(b"data: {") and marker in line:
            first = time.perf_counter() - start
    if first is None:
        raise SystemExit("the stream had no content event")
    return first


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    count = int(sys.argv[2])
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    for _ in range(warmup):
        one(conn, url.path)
    samples = sorted(one(conn, url.path) for _ in range(count))
    p50 = samples[len(samples) // 2] * 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000
    print(f"{p50:.3f} {p99:.3f}")


if __name__ == "__main__":
    main()
