-- wrk script for bench/edge.sh: one page view per POST /api/v1/track, over plain keep-alive
-- connections (wrk sends the next request on a connection only after the previous response).
-- Requests are built once, at start (varied users and pages), so wrk spends its CPU sending them.
local pages = {"/", "/home", "/pricing", "/docs", "/blog/one", "/blog/two", "/about", "/signup"}
local requests = {}
local n = 0

function init(args)
  local headers = {["Content-Type"] = "application/json"}
  local seed = math.random(1, 1000000)
  for i = 1, 4096 do
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
