-- Scenario 4: cycle over BENCH_URLS (default 1000) max-age=0 objects so the proxy revalidates every
-- request with the origin, without coalescing them all onto one key.
local count = tonumber(os.getenv("BENCH_URLS") or "1000")
local n = 0
request = function()
  n = (n + 1) % count
  return wrk.format("GET", "/reval/" .. n .. ".bin")
end
