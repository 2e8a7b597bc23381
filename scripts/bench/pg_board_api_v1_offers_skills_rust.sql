-- The board filtered by skills=rust (src/repo/board.rs `page` and `count` with skills): first
-- page and the count of every match.
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, u.username, NULL::real AS rank FROM offers o JOIN users u ON u.id = o.user_id WHERE TRUE AND o.skill_keys @> offer_skill_keys(ARRAY['rust']) ORDER BY o.id DESC LIMIT 21;
SELECT count(*) FROM offers o WHERE TRUE AND o.skill_keys @> offer_skill_keys(ARRAY['rust']);
