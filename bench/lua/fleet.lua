-- bench/fleet: walks /obj/PREFIX-FROM, /obj/PREFIX-(FROM+1), ... in order, one URL per request
-- (one wrk thread, so one counter for all its connections: no URL is asked twice). With
-- FLEET_COUNT > 0 the walk wraps after COUNT URLs, back to FROM: a cycle over a fixed set.
-- Appended after report.lua: done() also prints how many requests were issued
-- ("BENCH_ISSUED n"; more than the answered ones by those in flight when wrk stops, some of which
-- are never sent), so that bench/fleet knows which URLs a run touched and whether a walk wrapped.
local prefix = os.getenv("FLEET_PREFIX") or "x"
local from = tonumber(os.getenv("FLEET_FROM") or "1")
local count = tonumber(os.getenv("FLEET_COUNT") or "0")
local n = from - 1
local checked = false
issued = 0
request = function()
  if not checked then
    -- wrk calls request() once before the run to check what it returns (script_verify_request);
    -- that request is never sent, so it must not take a URL of the walk.
    checked = true
    return wrk.format("GET", "/obj/" .. prefix .. "-unsent")
  end
  issued = issued + 1
  n = n + 1
  if count > 0 and n >= from + count then n = from end
  return wrk.format("GET", "/obj/" .. prefix .. "-" .. n)
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
local report = done
done = function(summary, latency, requests)
  report(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("issued") end
  io.write(string.format("BENCH_ISSUED %d\n", total))
end
