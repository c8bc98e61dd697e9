-- bench/soak: a mix over SOAK_KEYS keys. 69% hits on 1,000 hot keys, 20% keys drawn from the
-- whole space (misses, and evictions once the memory limit is reached), 10% max-age=0 objects
-- that the proxy revalidates with the origin (304s), 0.5% PURGEs of keys in the space and
-- 0.5% soft PURGEs of hot keys (revalidated with a 304 on their next request). Counts
-- statuses by class in done().
local keys = tonumber(os.getenv("SOAK_KEYS") or "100000")
math.randomseed(os.time())
local soft = { ["Cachet-Soft-Purge"] = "1" }
request = function()
  local r = math.random()
  if r < 0.69 then
    return wrk.format("GET", "/soak/hot/" .. math.random(0, 999))
  elseif r < 0.89 then
    return wrk.format("GET", "/soak/key/" .. math.random(0, keys - 1))
  elseif r < 0.99 then
    return wrk.format("GET", "/reval/" .. math.random(0, 999) .. ".bin")
  elseif r < 0.995 then
    return wrk.format("PURGE", "/soak/key/" .. math.random(0, keys - 1))
  else
    return wrk.format("PURGE", "/soak/hot/" .. math.random(0, 999), soft)
  end
end
