-- wrk script of make bench: requests paths picked at random from a file, one a line
-- (args[1]); with args[2] == "bust", each request gets a query parameter of its own,
-- which the page cache does not serve. Prints one line for bench/measure.py.

local threads = {}
local serial = 0

function setup(thread)
  serial = serial + 1
  thread:set("seed", serial)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  bust = args[2] == "bust"
  math.randomseed(os.time() * 100 + seed)
  count = 0
end

function request()
  local path = paths[math.random(#paths)]
  if bust then
    count = count + 1
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "nocache=" .. seed .. "-" .. count
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
