-- The single-offer GET's SELECT (src/repo/offers.rs `find_visible`) on a random seeded offer,
-- read by user 1 (not its owner: only while open). pgbench -D users=N -D per_user=100
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set u random(1, :users)
\set id (:u - 1) * :per_user + random(1, :per_user)
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, o.status::text AS status, (o.status = 'published' AND o.valid_through <= now()) AS expired, o.close_reason::text AS close_reason, o.first_published_at, o.valid_through, o.employment_types::text[] AS employment_types, o.workplace::text AS workplace, o.locations::text AS locations, o.remote_countries, o.salary_currency, o.salary_min::text AS salary_min, o.salary_max::text AS salary_max, o.salary_period::text AS salary_period, o.apply_url, o.apply_email FROM offers o WHERE o.id = :id AND o.user_id = :u AND (1 = :u OR (o.status = 'published' AND o.valid_through > now()));
