-- A public offer page's query (src/repo/board.rs `find`) on a random seeded offer.
-- pgbench -D users=N -D per_user=100
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set id random(1, :users * :per_user)
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, u.username, NULL::real AS rank FROM offers o JOIN users u ON u.id = o.user_id WHERE o.id = :id;
