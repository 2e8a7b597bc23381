-- The board searching q=python (src/repo/board.rs `page` with one search word): the client's
-- search count (src/repo/limits.rs `record`; one client, so one row, as the benchmark's wrk
-- sends from one address), the word's key, then the first page read from its ranked list
-- (offer_terms), carrying the count from the word's running total.
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
INSERT INTO attempt_limits AS a (key, count, last_at, expires_at) SELECT k.key, 1, now(), now() + make_interval(secs => k.seconds) FROM unnest('{"\\x5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"}'::bytea[], '{60}'::float8[]) AS k(key, seconds) ORDER BY k.key ON CONFLICT (key) DO UPDATE SET count = CASE WHEN a.expires_at <= now() THEN 1 ELSE a.count + 1 END, last_at = now(), expires_at = CASE WHEN a.expires_at <= now() THEN excluded.expires_at ELSE a.expires_at END RETURNING a.key, a.count, a.last_at, a.expires_at, now() AS now;
SELECT offer_search_keys('python');
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, u.username, listed.rank, (SELECT coalesce(sum(total), 0)::bigint FROM offer_term_totals WHERE term = 'python') AS total FROM (SELECT t.offer_id, t.score AS rank FROM offer_terms t WHERE t.term = 'python' ORDER BY t.score DESC, t.offer_id DESC LIMIT 21) AS listed JOIN offers o ON o.id = listed.offer_id JOIN users u ON u.id = o.user_id ORDER BY listed.rank DESC, o.id DESC;
