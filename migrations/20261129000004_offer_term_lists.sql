-- The board at size: per-term and per-skill lists of offers, so that a search for one word or
-- a filter on one skill reads a page of 20 and its exact count from one B-tree range (an
-- index-only scan) instead of ranking and counting every match through the heap.
--
-- Measured at 100 000 offers before this (BENCHMARKS.md): q=python took ~100 ms (12 500
-- matches ranked by ts_rank over the heap) plus ~25–85 ms to count them; skills=rust ~30–65 ms
-- to count its 15 000 matches through the GIN bitmap (recheck reads every heap page).
--
-- Both lists are derived from the offer's generated columns (search_vector, skill_keys) by
-- statement triggers, so there is one rule for what an offer is found by. Several words or
-- several skills still go through the GIN indexes of migration 2, which intersect posting
-- lists well.

-- A search word's key: the lexeme its offers are indexed under. A plain word is its English
-- stem ("engineering" → engin) unless English search drops it as a stop word ("go", "it"),
-- then the word itself; a word with symbols ("c++", "node.js") is itself. The index holds
-- both forms of every plain word (migration 2), so one key per word finds what the stem-or-word
-- query of migration 2 found.
CREATE FUNCTION offer_search_keys(text text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(
        SELECT DISTINCT coalesce(
            CASE WHEN word ~ '^[[:alnum:]]+$' THEN
                (SELECT min(lexeme) FROM unnest(to_tsvector('english', word)) HAVING count(*) = 1)
            END,
            word) AS key
        FROM unnest(offer_words(text)) AS word
        ORDER BY key);

-- One key as a query (quotes and backslashes escaped as the tsquery syntax wants).
CREATE FUNCTION offer_key_query(key text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ('''' || replace(replace(key, '\', '\\'), '''', '''''') || '''')::tsquery;

-- Every key must match (AND): what the GIN index answers for several words.
CREATE FUNCTION offer_keys_query(keys text[]) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT string_agg(offer_key_query(key)::text, ' & ') FROM unnest(keys) AS key)::tsquery;

-- An offer's relevance for one key: ts_rank with the default weights (title A 1.0, skills B 0.4,
-- description C 0.2, each further occurrence counting less), so one title match outranks any
-- number in the description. Several words rank by the sum of their scores.
CREATE FUNCTION offer_key_score(search_vector tsvector, key text) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ts_rank(search_vector, offer_key_query(key));

DROP FUNCTION offer_search_query(text[]);

CREATE TABLE offer_terms (
    term     text   NOT NULL,
    score    real   NOT NULL,
    offer_id bigint NOT NULL
);

CREATE TABLE offer_skills (
    skill    text   NOT NULL,
    offer_id bigint NOT NULL
);

-- How many offers each list holds, so that the count of a page is a few rows whatever the
-- number of matches (the same 16 shards by backend as offer_totals: concurrent writers do not
-- queue on the row of a common word).
CREATE TABLE offer_term_totals (
    term  text    NOT NULL,
    shard integer NOT NULL,
    total bigint  NOT NULL,
    PRIMARY KEY (term, shard)
);

CREATE TABLE offer_skill_totals (
    skill text    NOT NULL,
    shard integer NOT NULL,
    total bigint  NOT NULL,
    PRIMARY KEY (skill, shard)
);

-- Re-lists offers: those of `gone` leave the lists, those of `come` join them as they are now
-- in `offers` (an updated offer is in both). Each total changes once per statement, in key
-- order, so two writers on the same shard cannot deadlock. The data-modifying CTEs share one
-- snapshot: the DELETE does not see the rows the INSERT adds.
CREATE FUNCTION offer_lists_refresh(gone bigint[], come bigint[]) RETURNS void
    LANGUAGE sql
BEGIN ATOMIC
    WITH gone_terms AS (
        DELETE FROM offer_terms WHERE offer_id = ANY (gone) RETURNING term
    ), come_terms AS (
        INSERT INTO offer_terms (term, score, offer_id)
        SELECT t.lexeme, offer_key_score(o.search_vector, t.lexeme), o.id
        FROM offers o, unnest(o.search_vector) AS t
        WHERE o.id = ANY (come)
        RETURNING term
    ), changes AS (
        SELECT term, -1 AS change FROM gone_terms
        UNION ALL
        SELECT term, 1 FROM come_terms
    )
    INSERT INTO offer_term_totals AS totals (term, shard, total)
    SELECT term, pg_backend_pid() % 16, sum(change) FROM changes
    GROUP BY term HAVING sum(change) <> 0 ORDER BY term
    ON CONFLICT (term, shard) DO UPDATE SET total = totals.total + excluded.total;

    WITH gone_skills AS (
        DELETE FROM offer_skills WHERE offer_id = ANY (gone) RETURNING skill
    ), come_skills AS (
        INSERT INTO offer_skills (skill, offer_id)
        SELECT DISTINCT s.skill, o.id
        FROM offers o, unnest(o.skill_keys) AS s(skill)
        WHERE o.id = ANY (come)
        RETURNING skill
    ), changes AS (
        SELECT skill, -1 AS change FROM gone_skills
        UNION ALL
        SELECT skill, 1 FROM come_skills
    )
    INSERT INTO offer_skill_totals AS totals (skill, shard, total)
    SELECT skill, pg_backend_pid() % 16, sum(change) FROM changes
    GROUP BY skill HAVING sum(change) <> 0 ORDER BY skill
    ON CONFLICT (skill, shard) DO UPDATE SET total = totals.total + excluded.total;
END;

SELECT offer_lists_refresh('{}', ARRAY(SELECT id FROM offers));

-- Read in display order: best score then newest for a word, newest for a skill. The offer_id
-- indexes serve re-listing (B-tree deduplication keeps them small: ~60 terms share one
-- offer). No primary key: each lexeme or skill of an offer is listed once by construction.
CREATE INDEX offer_terms_ranked_idx ON offer_terms (term, score DESC, offer_id DESC);
CREATE INDEX offer_terms_offer_idx ON offer_terms (offer_id);
CREATE INDEX offer_skills_newest_idx ON offer_skills (skill, offer_id DESC);
CREATE INDEX offer_skills_offer_idx ON offer_skills (offer_id);

-- Statement triggers with transition tables: a bulk insert (the benchmark's seed, a restore)
-- re-lists all its offers in one call instead of one per row.
CREATE FUNCTION offer_lists_on_insert() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM offer_lists_refresh('{}', ARRAY(SELECT id FROM added));
    RETURN NULL;
END
$$;

-- Only offers whose text or skills changed are re-listed (an update of dates alone is not);
-- an id that changed (never through the service) moves the offer to its new id.
CREATE FUNCTION offer_lists_on_update() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    changed bigint[];
BEGIN
    SELECT ARRAY(
        SELECT coalesce(a.id, b.id)
        FROM old_rows b FULL JOIN new_rows a ON a.id = b.id
        WHERE a.id IS NULL OR b.id IS NULL
           OR a.search_vector IS DISTINCT FROM b.search_vector
           OR a.skill_keys IS DISTINCT FROM b.skill_keys)
    INTO changed;
    IF cardinality(changed) > 0 THEN
        PERFORM offer_lists_refresh(changed, changed);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION offer_lists_on_delete() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM offer_lists_refresh(ARRAY(SELECT id FROM removed), '{}');
    RETURN NULL;
END
$$;

CREATE FUNCTION offer_lists_on_truncate() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    TRUNCATE offer_terms, offer_skills, offer_term_totals, offer_skill_totals;
    RETURN NULL;
END
$$;

CREATE TRIGGER offers_lists_on_insert AFTER INSERT ON offers
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION offer_lists_on_insert();
CREATE TRIGGER offers_lists_on_update AFTER UPDATE ON offers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION offer_lists_on_update();
CREATE TRIGGER offers_lists_on_delete AFTER DELETE ON offers
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION offer_lists_on_delete();
CREATE TRIGGER offers_lists_on_truncate AFTER TRUNCATE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION offer_lists_on_truncate();
