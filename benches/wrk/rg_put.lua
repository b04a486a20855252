-- Durable resource-group PUT: a new group per request (unique name per thread and counter).
-- args: <subscription> <run id>; token from AKSEMU_BENCH_TOKEN
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) sub = args[1]; run_id = args[2] or "0"; counter = 0; token = os.getenv("AKSEMU_BENCH_TOKEN") end
function request()
  counter = counter + 1
  local path = "/subscriptions/" .. sub .. "/resourcegroups/bench-" .. run_id .. "-" .. tid .. "-" .. counter .. "?api-version=2024-11-01"
  return wrk.format("PUT", path, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, '{"location":"westus2"}')
end
bad = 0
function response(status, headers, body)
  if status ~= 201 then bad = bad + 1; if bad <= 3 then io.stderr:write("unexpected " .. status .. ": " .. body .. "\n") end end
end
