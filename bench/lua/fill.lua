-- Memory scenario: request /small/FROM .. /small/TO-1 once each, then exit.
-- wrk asks for a connection's next request only after its previous response, so once the keys run
-- out every connection sends a few more requests for an already stored key (a hit) before wrk
-- exits: by then every fill request has been answered and stored.
local from = tonumber(os.getenv("BENCH_FROM") or "0")
local to = tonumber(os.getenv("BENCH_TO") or "1000")
local n = from - 1
local extra = 0
request = function()
  n = n + 1
  if n >= to then
    extra = extra + 1
    if extra > 512 then os.exit(0) end
    return wrk.format("GET", "/small/" .. from)
  end
  return wrk.format("GET", "/small/" .. n)
end
