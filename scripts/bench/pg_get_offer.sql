-- The single-offer GET's one statement (src/repo/offers.rs `find_visible_checked`): the
-- token's credentials check (user 1, version 0, as the auth guard would ask it) and the SELECT
-- of a random seeded offer, read by user 1 (not its owner: only while open), in one.
-- pgbench -D users=N -D per_user=100
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set u random(1, :users)
\set id (:u - 1) * :per_user + random(1, :per_user)
SELECT caller.current, o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, o.status::text AS status, (o.status = 'published' AND o.valid_through <= now()) AS expired, o.close_reason::text AS close_reason, o.first_published_at, o.valid_through, o.employment_types::text[] AS employment_types, o.workplace::text AS workplace, o.locations::text AS locations, o.remote_countries, o.salary_currency, o.salary_min::text AS salary_min, o.salary_max::text AS salary_max, o.salary_period::text AS salary_period, o.apply_url, o.apply_email, o.apply_native FROM (SELECT EXISTS (SELECT 1 FROM users WHERE id = 1 AND credentials_version = 0) AS current) AS caller LEFT JOIN offers o ON caller.current AND o.id = :id AND o.user_id = :u AND (1 = :u OR (o.status = 'published' AND o.valid_through > now()));
