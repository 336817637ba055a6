-- wrk script for bench/pull_bench.py: POST pre-signed PullDocRequests to the Pull Doc route.
-- $VC_BENCH_REQUESTS holds one request a line: the x-digilocker-hmac value, a tab, the body
-- (one line of XML). Each request is sent once (a txn is never replayed): the two threads
-- (wrk -t2) take alternate lines. An optional $VC_BENCH_DELAY_MS paces each connection.
-- Answers that are not Status 1 are counted and printed at the end.
local delay_ms = tonumber(os.getenv("VC_BENCH_DELAY_MS") or "0")
local path = os.getenv("VC_BENCH_PATH")
local threads = {}
local counter = 0
local requests_list = {}
bad = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  thread:set("count", 0)
  table.insert(threads, thread)
end

function init(args)
  local index = 0
  for line in io.lines(os.getenv("VC_BENCH_REQUESTS")) do
    index = index + 1
    if index % 2 == id % 2 then
      local signature, body = line:match("([^\t]+)\t(.+)")
      requests_list[#requests_list + 1] = { signature, body }
    end
  end
  n = 0
end

function request()
  n = n + 1
  local item = requests_list[n]
  if item == nil then
    n = 1
    item = requests_list[1]
  end
  local headers = { ["Content-Type"] = "application/xml", ["x-digilocker-hmac"] = item[1] }
  return wrk.format("POST", path, headers, item[2])
end

function response(status, hdrs, body)
  if status ~= 200 or not string.find(body, 'Status="1"', 1, true) then
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
  io.write(string.format("NOT_FOUND %d\n", total))
end
