-- The board searching q=python (src/repo/board.rs `page` and `count` with a text): ranked
-- full-text search, first page, and the count of every match.
SELECT o.id, o.user_id, o.title, o.description, o.skills_list, o.creation_date, o.modification_date, u.username, ts_rank(o.search_vector, query) AS rank FROM offer_search_query(offer_words('python')) AS query, offers o JOIN users u ON u.id = o.user_id WHERE o.search_vector @@ query ORDER BY rank DESC, o.id DESC LIMIT 21;
SELECT count(*) FROM offer_search_query(offer_words('python')) AS query, offers o WHERE o.search_vector @@ query;
