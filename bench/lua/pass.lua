-- bench/ab's pass scenario: If-Match is for the origin alone (RFC 9111 §4.3.2), so the proxy passes
-- every request on uncached: the cost of an origin exchange without the cache's own work.
request = function()
  return wrk.format("GET", "/obj/1k.bin", {["If-Match"] = "*"})
end
