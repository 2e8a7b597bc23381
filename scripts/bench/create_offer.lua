-- POST /api/v1/users/{w}/offers/: a new offer (title, ~450-character description, 3-8
-- skills) by a random writer w, with w's own token.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local description = "We are looking for a pragmatic engineer to join a small team. " ..
  string.rep("You will design, build and operate services used by thousands of customers. ", 5)
function bench.create_request()
  local w = math.random(1, bench.writers)
  local body = '{"title": "Backend Engineer ' .. math.random(1, 1000000) .. '", ' ..
    '"description": "' .. description .. '", ' ..
    '"skills_list": ' .. bench.skills_json(math.random(3, 8)) .. '}'
  return wrk.format("POST", "/api/v1/users/" .. w .. "/offers/", bench.auth[w], body)
end
request = bench.create_request
