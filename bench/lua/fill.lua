-- Memory scenario: request /small/FROM .. /small/TO-1 once each, then exit.
local from = tonumber(os.getenv("BENCH_FROM") or "0")
local to = tonumber(os.getenv("BENCH_TO") or "1000")
local n = from - 1
request = function()
  n = n + 1
  if n >= to then
    -- the last connections' requests are in flight; a handful of keys may be missing
    os.exit(0)
  end
  return wrk.format("GET", "/small/" .. n)
end
