-- wrk script for bench/edge.sh: POST /api/v1/track/batch with a JSON array of N events
-- (`-- N`, default 100), over plain keep-alive connections. Events/s = requests/s * N.
-- Requests are built once, at start: 4,096 of them, each from a client of its own (X-Forwarded-For, which the edge
-- reads with --trusted-proxy-hops 1) with a browser's User-Agent, so the edge's per-client rate limit and bot filter
-- see many clients, each well under the default limit, as behind a load balancer.
local pages = {"/", "/home", "/pricing", "/docs", "/blog/one", "/blog/two", "/about", "/signup"}
local requests = {}
local events = 100
local n = 0

local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"}

function init(args)
  events = tonumber(args[1] or "100")
  for variant = 1, 4096 do
    local headers = {["Content-Type"] = "application/json",
      ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(variant / 65536) % 256, math.floor(variant / 256) % 256, variant % 256),
      ["User-Agent"] = agents[variant % #agents + 1]}
    local parts = {}
    for i = 1, events do
      parts[i] = string.format('{"user_id":"u-%d-%d","page_url":"%s","timestamp":%d}',
        variant, i, pages[(i + variant) % #pages + 1], 1730814562 + i)
    end
    requests[variant] = wrk.format("POST", nil, headers, "[" .. table.concat(parts, ",") .. "]")
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
