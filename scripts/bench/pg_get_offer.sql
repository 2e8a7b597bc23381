-- The single-offer GET's SELECT (src/repo/offers.rs `find`), on a random seeded offer.
-- pgbench -D users=N -D per_user=100
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set u random(1, :users)
\set id (:u - 1) * :per_user + random(1, :per_user)
SELECT id, user_id, title, description, skills_list, creation_date, modification_date FROM offers WHERE id = :id AND user_id = :u;
