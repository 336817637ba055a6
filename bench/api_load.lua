-- wrk script for bench/api_load.py: POST signed XML documents to /v1/verify, cycling through
-- the files listed in $VC_BENCH_FILES, with the bearer token in $VC_BENCH_TOKEN. An optional
-- $VC_BENCH_DELAY_MS paces each connection (think time) for the fixed-load phase. Responses
-- that are not a PASSED report are counted and printed at the end.
local bodies = {}
local token = os.getenv("VC_BENCH_TOKEN")
local delay_ms = tonumber(os.getenv("VC_BENCH_DELAY_MS") or "0")
for path in io.lines(os.getenv("VC_BENCH_FILES")) do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
local headers = { ["Content-Type"] = "application/xml", ["Authorization"] = "Bearer " .. token }
local threads = {}
local n = 0
bad = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = math.random(#bodies)
end

function request()
  n = n % #bodies + 1
  return wrk.format("POST", "/v1/verify", headers, bodies[n])
end

function response(status, hdrs, body)
  if status ~= 200 or not string.find(body, '"verified":true', 1, true) then
    bad = bad + 1
  end
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
  end
  io.write(string.format("NOT_PASSED %d\n", total))
end
