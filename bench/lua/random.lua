-- Memory scenario: hits on keys chosen uniformly from /small/0 .. /small/N-1.
local count = tonumber(os.getenv("BENCH_KEYS") or "1000")
math.randomseed(42)
request = function()
  return wrk.format("GET", "/small/" .. math.random(0, count - 1))
end
