-- PUT /api/v1/users/{w}/offers/{id}: a partial edit (title and skills) of one of the seeded
-- offers of a random writer w, with w's own token.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function bench.update_request()
  local w = math.random(1, bench.writers)
  local body = '{"title": "Senior Backend Engineer ' .. math.random(1, 1000000) .. '", ' ..
    '"skills_list": ' .. bench.skills_json(math.random(3, 8)) .. '}'
  return wrk.format("PUT", "/api/v1/users/" .. w .. "/offers/" .. bench.offer_of(w),
    bench.auth[w], body)
end
request = bench.update_request
