-- The create POST's INSERT (src/repo/offers.rs `insert`) by a random writer; the server binds
-- the skills as one text[]. tests/api/bench_sql.rs fails when this differs from the server's.
-- pgbench -D writers=W
\set w random(1, :writers)
INSERT INTO offers (user_id, title, description, skills_list) VALUES (:w, 'Backend Engineer', 'We are looking for a pragmatic engineer to join a small team. You will design, build and operate services used by thousands of customers. You will design, build and operate services used by thousands of customers. You will design, build and operate services used by thousands of customers. You will design, build and operate services used by thousands of customers. You will design, build and operate services used by thousands of customers. ', '{rust,sql,docker,linux,kafka}') RETURNING id, user_id, title, description, skills_list, creation_date, modification_date;
