-- POST /api/v1/users/login as a random seeded user (all share one password): Argon2id at
-- OWASP parameters on every request. 503 (with Retry-After) is the expected answer once the
-- hashing slots are busy for longer than the server's wait; the summary counts each status.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
function request()
  local body = '{"username": "employer' .. math.random(1, bench.users) ..
    '", "password": "' .. bench.password .. '"}'
  return wrk.format("POST", "/api/v1/users/login", headers, body)
end
