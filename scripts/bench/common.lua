-- Shared by the wrk scripts of scripts/bench.sh (loaded with dofile). Parameters come from
-- the environment; every script counts response statuses per thread, and done() prints one
-- machine-readable line, "BENCH_JSON {...}", that scripts/bench.sh collects.
--
--   BENCH_USERS       users seeded (user u owns offers (u-1)*PER+1 .. u*PER)
--   BENCH_PER_USER    offers per seeded user (100)
--   BENCH_VISIBLE_PER_USER  the first of them that everyone may read (seed.sql: 92)
--   BENCH_TOKENS      space-separated tokens of the writer users 1..W (token 1 also reads)
--   BENCH_LIST_FROM   the first user whose list is never written (lists read users from it)
--   BENCH_PASSWORD    the password every seeded user shares
--   BENCH_PATH        the path of a plain GET (healthz, board endpoints)

if bench then return end -- loaded already (mixed.lua loads two scripts)
bench = {}
bench.users = tonumber(os.getenv("BENCH_USERS") or "1")
bench.per_user = tonumber(os.getenv("BENCH_PER_USER") or "100")
bench.visible_per_user = tonumber(os.getenv("BENCH_VISIBLE_PER_USER") or tostring(bench.per_user))
bench.list_from = tonumber(os.getenv("BENCH_LIST_FROM") or "1")
bench.password = os.getenv("BENCH_PASSWORD") or ""
bench.path = os.getenv("BENCH_PATH") or "/healthz"
bench.tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do
  table.insert(bench.tokens, token)
end
bench.writers = #bench.tokens

-- Headers of a signed-in request of writer w (1..W).
bench.auth = {}
for w, token in ipairs(bench.tokens) do
  bench.auth[w] = {
    ["Authorization"] = "JWT " .. token,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
end

-- A random offer id of user u, among those everyone may read (drafts, closed and expired
-- offers are 404 to all but their owner).
function bench.offer_of(u)
  return (u - 1) * bench.per_user + math.random(1, bench.visible_per_user)
end

local skills = { "python", "rust", "sql", "postgresql", "docker", "kubernetes", "aws", "linux",
  "go", "java", "react", "typescript", "terraform", "ansible", "kafka", "redis" }

-- n distinct skills starting at a random place in the pool.
function bench.skills_json(n)
  local start = math.random(1, #skills)
  local out = {}
  for i = 0, n - 1 do
    out[#out + 1] = '"' .. skills[(start + i * 5) % #skills + 1] .. '"'
  end
  return "[" .. table.concat(out, ", ") .. "]"
end

-- Thread bookkeeping: setup() runs in the main Lua state once per thread.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

function init(args)
  math.randomseed((thread_no or 1) * 7919 + os.time())
  for _ = 1, 10 do math.random() end
end

-- Per-thread counters, read back in done().
statuses = {}
missing_retry_after = 0
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and headers["Retry-After"] == nil and headers["retry-after"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  local no_retry_after = 0
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, n in pairs(counts) do
      total[status] = (total[status] or 0) + n
    end
    no_retry_after = no_retry_after + (thread:get("missing_retry_after") or 0)
  end
  local parts = {}
  for status, n in pairs(total) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "status_errors": %d, "missing_retry_after": %d, ' ..
    '"statuses_counted": %s, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.timeout, e.status, no_retry_after,
    tostring(bench.statuses_counted ~= false), table.concat(parts, ", ")))
end
