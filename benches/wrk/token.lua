-- client_credentials token requests (form body, client_secret_post); credentials from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local function enc(s) return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
wrk.body = "grant_type=client_credentials&client_id=" .. enc(os.getenv("AKSEMU_BENCH_CLIENT_ID")) ..
  "&client_secret=" .. enc(os.getenv("AKSEMU_BENCH_CLIENT_SECRET")) .. "&scope=" .. enc("https://management.core.windows.net//.default")
local bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; if bad <= 3 then io.stderr:write("non-200: " .. status .. " " .. body .. "\n") end end
end
