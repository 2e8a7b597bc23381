-- The board's first page, unfiltered (src/repo/board.rs `page`, default limit 20, so LIMIT 21):
-- what GET /api/v1/offers asks the database, on one connection. The page carries the count
-- (`push_total`: a scalar subquery over the running totals), one statement for both.
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, u.username, NULL::real AS rank, (SELECT coalesce(sum(total), 0)::bigint FROM offer_totals) AS total FROM offers o JOIN users u ON u.id = o.user_id WHERE TRUE ORDER BY o.id DESC LIMIT 21;
