-- wrk script for bench/load.sh: rotates request paths (BENCH_PATHS, "|"-separated) and
-- session cookies (BENCH_COOKIES, "|"-separated, optional), sends the site's Host
-- header (BENCH_HOST) and prints one machine-readable RESULT line with p95, which
-- wrk's own --latency output does not have.

local function split(value)
  local items = {}
  for item in string.gmatch(value or "", "[^|]+") do
    table.insert(items, item)
  end
  return items
end

local paths = split(os.getenv("BENCH_PATHS") or "/")
local cookies = split(os.getenv("BENCH_COOKIES"))
local host = os.getenv("BENCH_HOST") or "127.0.0.1"
local counter = 0

request = function()
  counter = counter + 1
  local headers = { ["Host"] = host }
  if #cookies > 0 then
    headers["Cookie"] = cookies[(counter % #cookies) + 1]
  end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
