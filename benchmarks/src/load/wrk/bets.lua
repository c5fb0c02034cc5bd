-- wrk script of the generator-check scenario (benchmarks/src/load/wrk.ts writes its inputs):
-- posts pre-made requests (each a whole POST /v1/bets with its wallet's session header and a
-- clientBetId of its own) from a file, one per line with "|" for CRLF, at a fixed rate per thread.
--
-- Debian's wrk 4.1 is closed loop (no -R, unlike wrk2): delay() paces it, each call claiming the
-- next slot of a constant-rate schedule, so a connection that is free waits for its slot and one
-- that comes back late sends at once. Latency is still measured from the actual send: what a slow
-- answer delays is not charged (coordinated omission), which the harness's open loop does charge.
--
-- CPU: init() and done() print this process's utime+stime ticks (/proc/self/stat covers every
-- thread, exited ones included), so the caller subtracts the set-up (loading the file) from the run.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } wrk_timespec;
  int clock_gettime(int clock, wrk_timespec *ts);
]]
local ts = ffi.new("wrk_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local function cpu_ticks()
  local f = io.open("/proc/self/stat", "r")
  local line = f:read("*l")
  f:close()
  local fields = {}
  for field in line:sub(line:find(")", 1, true) + 2):gmatch("%S+") do fields[#fields + 1] = field end
  return tonumber(fields[12]) + tonumber(fields[13])
end

local requests = {}
local cursor = 0
local interval_ms = 0
local next_at = nil

-- args: <requests file> <rate per second for this thread>
function init(args)
  for line in io.lines(args[1]) do
    requests[#requests + 1] = (line:gsub("|", "\r\n"))
  end
  interval_ms = 1000 / tonumber(args[2])
  io.write(string.format("wrk.init ticks=%d requests=%d\n", cpu_ticks(), #requests))
end

function request()
  cursor = cursor + 1
  -- Past the end the requests repeat: a repeated clientBetId is answered from its idempotency
  -- record, not placed again. The caller makes enough for the run and reports any repeats.
  if cursor > #requests then cursor = 1 end
  return requests[cursor]
end

function delay()
  local now = now_ms()
  if next_at == nil then next_at = now end
  next_at = next_at + interval_ms
  local wait = next_at - now
  if wait < 0 then return 0 end
  return wait
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'wrk.done {"ticks":%d,"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    cpu_ticks(), summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
