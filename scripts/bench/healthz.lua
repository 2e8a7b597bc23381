-- GET BENCH_PATH (default /healthz) without a token: the framework's own ceiling. No
-- response() hook, which costs wrk a tenth of its rate at this speed: non-2xx answers are
-- wrk's own count of statuses >= 400 (a /healthz answer is never 1xx or 3xx).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = bench.path
response = nil
bench.statuses_counted = false
