-- bench/soak: a mix over SOAK_KEYS keys. 70% hits on 1,000 hot keys, 20% keys drawn from the
-- whole space (misses, and evictions once the memory limit is reached), 10% max-age=0 objects
-- that the proxy revalidates with the origin (304s). Counts statuses by class in done().
local keys = tonumber(os.getenv("SOAK_KEYS") or "100000")
math.randomseed(os.time())
request = function()
  local r = math.random()
  if r < 0.7 then
    return wrk.format("GET", "/soak/hot/" .. math.random(0, 999))
  elseif r < 0.9 then
    return wrk.format("GET", "/soak/key/" .. math.random(0, keys - 1))
  else
    return wrk.format("GET", "/reval/" .. math.random(0, 999) .. ".bin")
  end
end
