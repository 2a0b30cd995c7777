-- wrk script for bench/edge.sh: one page view per POST /api/v1/track, over plain keep-alive
-- connections (wrk sends the next request on a connection only after the previous response).
-- Requests are built once, at start (varied users and pages), so wrk spends its CPU sending them. Each comes from a
-- client of its own (X-Forwarded-For, read by the edge with --trusted-proxy-hops 1) with a browser's User-Agent, so
-- the per-client rate limit and bot filter see 4,096 clients, each well under the default limit.
local pages = {"/", "/home", "/pricing", "/docs", "/blog/one", "/blog/two", "/about", "/signup"}
local requests = {}
local n = 0

local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"}

function init(args)
  local seed = math.random(1, 1000000)
  for i = 1, 4096 do
    local headers = {["Content-Type"] = "application/json",
      ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256),
      ["User-Agent"] = agents[i % #agents + 1]}
    local body = string.format('{"user_id":"u-%d-%d","page_url":"%s","timestamp":%d}',
      seed, i, pages[i % #pages + 1], 1730814562 + i)
    requests[i] = wrk.format("POST", nil, headers, body)
  end
end

function request()
  n = n + 1
  return requests[n % #requests + 1]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
