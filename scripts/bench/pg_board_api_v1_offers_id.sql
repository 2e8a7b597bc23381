-- A public offer page's query (src/repo/board.rs `find`, no viewer) on a random seeded offer.
-- pgbench -D users=N -D per_user=100
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
\set id random(1, :users * :per_user)
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, o.status::text AS status, (o.status = 'published' AND o.valid_through <= now()) AS expired, o.close_reason::text AS close_reason, o.first_published_at, o.valid_through, o.employment_types::text[] AS employment_types, o.workplace::text AS workplace, o.locations::text AS locations, o.remote_countries, o.salary_currency, o.salary_min::text AS salary_min, o.salary_max::text AS salary_max, o.salary_period::text AS salary_period, o.apply_url, o.apply_email, o.apply_native, u.username, u.display_name, NULL::real AS rank FROM offers o JOIN users u ON u.id = o.user_id WHERE o.id = :id AND (o.status <> 'draft' OR o.user_id = NULL);
