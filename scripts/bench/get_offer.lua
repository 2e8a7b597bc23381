-- GET /api/v1/users/{u}/offers/{id}: a random offer of a random seeded user, read with the
-- token of user 1 (any signed-in user may read any user's offers).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function request()
  local u = math.random(1, bench.users)
  return wrk.format("GET", "/api/v1/users/" .. u .. "/offers/" .. bench.offer_of(u), bench.auth[1])
end
