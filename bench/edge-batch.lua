-- wrk script for bench/edge.sh: POST /api/v1/track/batch with a JSON array of N events
-- (`-- N`, default 100), over plain keep-alive connections. Events/s = requests/s * N.
-- Requests are built once, at start.
local pages = {"/", "/home", "/pricing", "/docs", "/blog/one", "/blog/two", "/about", "/signup"}
local requests = {}
local events = 100
local n = 0

function init(args)
  local headers = {["Content-Type"] = "application/json"}
  events = tonumber(args[1] or "100")
  for variant = 1, 16 do -- a few different batches, so not every request is the same bytes
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
