-- Scenario 10: scenario 9 with a request id in every head (as a load balancer or proxy in front
-- adds one), so no server can answer from the exact bytes of a head it has seen before.
local etag = os.getenv("BENCH_ETAG")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, { ["If-None-Match"] = etag, ["X-Request-Id"] = tostring(n) })
end
