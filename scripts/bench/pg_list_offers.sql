-- The list GET's SELECT (src/repo/offers.rs `list_for_user`, first page at the default limit
-- of 100, so LIMIT 101) for a random user with 100 offers. pgbench -D users=N -D list_from=M
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set u random(:list_from, :users)
SELECT c.total, o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date FROM users u CROSS JOIN LATERAL (SELECT count(*) AS total FROM offers WHERE user_id = u.id) c LEFT JOIN LATERAL ( SELECT * FROM offers WHERE user_id = u.id AND id > 0 ORDER BY id LIMIT 101 ) o ON TRUE WHERE u.id = :u ORDER BY o.id;
