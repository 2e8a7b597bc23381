-- POST /api/v1/users/{w}/offers/: a new offer by a random writer w, with w's own token, in
-- the seed's mix (scripts/bench/seed.sql), so that the offers the write runs add look like
-- the ones already there: a title, a ~450-character description, 3-8 skills; pay on 70%
-- (EUR, USD, GBP, CHF, PLN; yearly, monthly or hourly); remote 30% (half open to anywhere,
-- half to 1-3 countries), hybrid 20%, on site 35%, no workplace 15%; 1-3 locations over 30
-- countries; full time 72%, part time 8%, contractor 8%, both 4%, intern 4%, temporary 4%.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local description = "We are looking for a pragmatic engineer to join a small team. " ..
  string.rep("You will design, build and operate services used by thousands of customers. ", 5)
local countries = { "DE", "FR", "GB", "NL", "ES", "IT", "PT", "IE", "BE", "AT", "CH", "PL",
  "CZ", "SE", "DK", "NO", "FI", "EE", "RO", "GR", "US", "CA", "MX", "BR", "AR", "JP", "SG",
  "AU", "IN", "ZA" }
local currencies = { { "EUR", 1 }, { "USD", 1.1 }, { "GBP", 0.85 }, { "CHF", 0.95 },
  { "PLN", 4.3 } }

local function pick_countries(n)
  local start = math.random(1, #countries)
  local out = {}
  for i = 0, n - 1 do
    out[#out + 1] = countries[(start + i * 7) % #countries + 1]
  end
  return out
end

local function quoted(list)
  local out = {}
  for i, value in ipairs(list) do out[i] = '"' .. value .. '"' end
  return "[" .. table.concat(out, ", ") .. "]"
end

local function details()
  local fields = {}
  local located = pick_countries(math.random(1, 3))
  local places = {}
  for i, country in ipairs(located) do
    places[i] = '{"city": "City ' .. i .. '", "country": "' .. country .. '"}'
  end
  fields[#fields + 1] = '"locations": [' .. table.concat(places, ", ") .. ']'
  local w = math.random(1, 100)
  if w <= 30 then
    fields[#fields + 1] = '"workplace": "remote"'
    if w <= 15 then
      fields[#fields + 1] = '"remote_countries": ' .. quoted(pick_countries(math.random(1, 3)))
    end
  elseif w <= 50 then
    fields[#fields + 1] = '"workplace": "hybrid"'
  elseif w <= 85 then
    fields[#fields + 1] = '"workplace": "on_site"'
  end
  local t = math.random(1, 100)
  local types = t <= 72 and { "FULL_TIME" } or t <= 80 and { "PART_TIME" }
    or t <= 88 and { "CONTRACTOR" } or t <= 92 and { "FULL_TIME", "CONTRACTOR" }
    or t <= 96 and { "INTERN" } or { "TEMPORARY" }
  fields[#fields + 1] = '"employment_types": ' .. quoted(types)
  if math.random(1, 100) <= 70 then
    local currency = currencies[math.random(1, #currencies)]
    local yearly = (30000 + math.random(0, 999) * 120) * currency[2]
    local p = math.random(1, 100)
    local period, per = "YEAR", 1
    if p > 90 then period, per = "HOUR", 2080 elseif p > 75 then period, per = "MONTH", 12 end
    local min = math.floor(yearly / per)
    fields[#fields + 1] = string.format(
      '"salary": {"currency": "%s", "min": %d, "max": %d, "period": "%s"}',
      currency[1], min, math.floor(min * 1.25), period)
  end
  return table.concat(fields, ", ")
end

function bench.create_request()
  local w = math.random(1, bench.writers)
  local body = '{"title": "Backend Engineer ' .. math.random(1, 1000000) .. '", ' ..
    '"description": "' .. description .. '", ' ..
    '"skills_list": ' .. bench.skills_json(math.random(3, 8)) .. ', ' .. details() .. '}'
  return wrk.format("POST", "/api/v1/users/" .. w .. "/offers/", bench.auth[w], body)
end
request = bench.create_request
