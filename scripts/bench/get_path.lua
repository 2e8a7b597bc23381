-- GET BENCH_PATH with user 1's token (the board endpoints, whatever their path). "{id}" in
-- the path becomes a random seeded offer's id on every request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = { ["Accept"] = "application/json" }
if bench.auth[1] then headers["Authorization"] = bench.auth[1]["Authorization"] end
if string.find(bench.path, "{id}", 1, true) then
  local before, after = string.match(bench.path, "^(.-){id}(.*)$")
  function request()
    return wrk.format("GET", before .. bench.offer_of(math.random(1, bench.users)) .. after, headers)
  end
else
  wrk.method = "GET"
  wrk.path = bench.path
  for name, value in pairs(headers) do wrk.headers[name] = value end
end
