-- Appended to every wrk script by bench/run: one machine-readable line per run.
-- Latencies are in milliseconds; "bad" counts HTTP statuses >= 400, "sockerr" socket errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT rps=%.1f p50=%.3f p99=%.3f requests=%d bad=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
