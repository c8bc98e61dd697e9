-- Scenario 3: every request carries the stored object's ETag, so the proxy answers 304 from cache.
wrk.headers["If-None-Match"] = os.getenv("BENCH_ETAG")
