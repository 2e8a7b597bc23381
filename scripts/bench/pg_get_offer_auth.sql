-- Everything the single-offer GET asks the database: the auth guard's EXISTS at the token's
-- credentials version (src/repo/users.rs, src/auth/guard.rs) for user 1's token, then the SELECT
-- (src/repo/offers.rs `find`). tests/api/bench_sql.rs fails when this differs from the server's.
\set u random(1, :users)
\set id (:u - 1) * :per_user + random(1, :per_user)
SELECT EXISTS (SELECT 1 FROM users WHERE id = 1 AND credentials_version = 0);
SELECT id, user_id, title, description, skills_list, creation_date, modification_date FROM offers WHERE id = :id AND user_id = :u;
