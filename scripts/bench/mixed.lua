-- A mixed load: 90% single-offer reads (as get_offer.lua), 5% edits (as update_offer.lua),
-- 5% creations (as create_offer.lua).
local dir = os.getenv("BENCH_LUA_DIR")
dofile(dir .. "/create_offer.lua")
dofile(dir .. "/update_offer.lua")
function request()
  local r = math.random()
  if r < 0.90 then
    local u = math.random(1, bench.users)
    return wrk.format("GET", "/api/v1/users/" .. u .. "/offers/" .. bench.offer_of(u), bench.auth[1])
  elseif r < 0.95 then
    return bench.update_request()
  else
    return bench.create_request()
  end
end
