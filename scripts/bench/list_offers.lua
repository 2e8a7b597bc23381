-- GET /api/v1/users/{u}/offers/: the whole list of a random user with 100 offers that no
-- write scenario touches (users BENCH_LIST_FROM..BENCH_USERS), read with user 1's token.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function request()
  local u = math.random(bench.list_from, bench.users)
  return wrk.format("GET", "/api/v1/users/" .. u .. "/offers/", bench.auth[1])
end
