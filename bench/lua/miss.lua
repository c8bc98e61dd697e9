-- Scenario 5: every request a distinct URL (BENCH_TAG keeps rounds and proxies apart).
local tag = os.getenv("BENCH_TAG") or "x"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/miss/" .. tag .. "/" .. n)
end
