-- The edit PUT's UPDATE (src/repo/offers.rs `update`, title and skills given) on a seeded
-- offer of a random writer; the description not given (NULL). pgbench -D writers=W -D per_user=100
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set w random(1, :writers)
\set id (:w - 1) * :per_user + random(1, :per_user)
UPDATE offers SET title = COALESCE('Senior Backend Engineer', title), description = COALESCE(NULL, description), skills_list = COALESCE('{rust,sql,docker,linux}', skills_list), modification_date = clock_timestamp() WHERE id = :id AND user_id = :w RETURNING id, user_id, title, description, skills_list, creation_date, modification_date;
