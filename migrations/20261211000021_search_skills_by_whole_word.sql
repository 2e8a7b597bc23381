-- A search word that the English stemmer changes ("kubernetes" -> "kubernet", "testing" ->
-- "test") found titles and descriptions, which the search vector holds both stemmed and as
-- whole words (migration 2), but never a skill: skills are in it as whole words only, so
-- q=kubernetes missed every offer whose only mention was the skill Kubernetes.
--
-- Each search key is now the tsquery text of one word: its stem or the whole word
-- ('kubernet' | 'kubernetes'), or the word alone when the stemmer leaves it as it is
-- (python) or is not used (c++, node.js, stop words). Words with the same stem are one key,
-- as before ("engineer engineers"). Nothing stored changes: the search vector, its index and
-- what a title or a description matches stay the same; a word only a skill holds is found
-- now. Query-side only: this migration reads and writes no row.

-- One lexeme as the tsquery parser reads it: quoted, its quotes and backslashes escaped.
CREATE FUNCTION offer_quoted_lexeme(lexeme text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''';

CREATE OR REPLACE FUNCTION offer_search_keys(text text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY(
        SELECT CASE WHEN stem = word THEN offer_quoted_lexeme(word)
                    ELSE offer_quoted_lexeme(stem) || ' | ' || offer_quoted_lexeme(word) END
        FROM (
            SELECT DISTINCT ON (stem) stem, word
            FROM (
                SELECT word, coalesce(
                    CASE WHEN word ~ '^[[:alnum:]]+$' THEN
                        (SELECT min(lexeme) FROM unnest(to_tsvector('english', word))
                         HAVING count(*) = 1)
                    END,
                    word) AS stem
                FROM unnest(offer_words(text)) AS word
            ) AS words
            ORDER BY stem, word
        ) AS keys
        ORDER BY stem);
END
$$;

-- A key is a tsquery already.
CREATE OR REPLACE FUNCTION offer_key_query(key text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN key::tsquery;

-- A key's score: its better form's, so that a description holding both forms does not count
-- the word twice and outrank a skill, and the ranking stays title above skills above
-- description (migration 4). The board writes the same expression inline
-- (src/repo/board.rs, `push_key_score`); this is what a person in psql would call.
CREATE OR REPLACE FUNCTION offer_key_score(search_vector tsvector, key text) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT max(ts_rank(search_vector, form::tsquery))
            FROM unnest(string_to_array(key, ' | ')) AS form);

-- Every key must match (AND), each key by any of its forms (OR).
CREATE OR REPLACE FUNCTION offer_keys_query(keys text[]) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN (SELECT string_agg('(' || key || ')', ' & ') FROM unnest(keys) AS key)::tsquery;
END
$$;
