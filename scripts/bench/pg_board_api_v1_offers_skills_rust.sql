-- The board filtered by skills=rust (src/repo/board.rs `page` with one skill): the first page
-- read from the skill's list (offer_skills), newest first, carrying the count from the
-- skill's running total. The server binds the skills as one text[]: '{rust}' here.
-- tests/api/bench_sql.rs fails when this differs from what the server runs.
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, u.username, NULL::real AS rank, (SELECT coalesce(sum(total), 0)::bigint FROM offer_skill_totals WHERE skill = (offer_skill_keys('{rust}'))[1]) AS total FROM (SELECT s.offer_id FROM offer_skills s WHERE s.skill = (offer_skill_keys('{rust}'))[1] ORDER BY s.offer_id DESC LIMIT 21) AS listed JOIN offers o ON o.id = listed.offer_id JOIN users u ON u.id = o.user_id ORDER BY o.id DESC;
