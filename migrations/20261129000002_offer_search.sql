-- The public job board: case-insensitive skill filters and ranked full-text search.

-- Skills as filter keys: lower-cased, so "Rust", "rust" and "RUST" are one skill.
CREATE FUNCTION offer_skill_keys(skills text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT lower(skill) FROM unnest(skills) AS skill);

-- Words of free text kept whole: lower-cased, split on white space and commas, surrounding
-- punctuation trimmed but inner symbols kept, so "C++", "C#" and "node.js" stay searchable
-- as themselves (the English parser reduces all three to "c" and "node").
CREATE FUNCTION offer_words(body text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(
        SELECT DISTINCT word
        FROM (
            SELECT btrim(piece, '.;:!?()[]{}"''<>*/\|`~') AS word
            FROM regexp_split_to_table(lower(body), '[[:space:],]+') AS piece
        ) AS pieces
        -- tsvector refuses lexemes over 2 KiB; such a "word" is no search term anyway.
        WHERE word <> '' AND octet_length(word) <= 2046
    );

-- Words as lexemes with a position, so that setweight applies to them (array_to_tsvector
-- makes lexemes without positions, which carry no weight). Quotes and backslashes are
-- escaped as the tsvector input syntax wants.
CREATE FUNCTION offer_lexemes(words text[]) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN coalesce(
        (SELECT string_agg(
                    '''' || replace(replace(word, '\', '\\'), '''', '''''') || ''':1', ' ')
         FROM unnest(words) AS word)::tsvector,
        ''::tsvector);

ALTER TABLE offers
    ADD COLUMN skill_keys text[] GENERATED ALWAYS AS (offer_skill_keys(skills_list)) STORED,
    -- Weights: title (A) above skills (B) above description (C). The texts appear twice:
    -- stemmed English words (engineer = engineering) and whole words (c++, go, it).
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(offer_lexemes(offer_words(title)), 'A')
        || setweight(offer_lexemes(offer_skill_keys(skills_list)), 'B')
        || setweight(to_tsvector('english', description), 'C')
        || setweight(offer_lexemes(offer_words(description)), 'C')
    ) STORED;

CREATE INDEX offers_skill_keys_idx ON offers USING gin (skill_keys);
CREATE INDEX offers_search_vector_idx ON offers USING gin (search_vector);

-- The query for the board's `q`: every term must match (AND). A plain word matches its English
-- stem or itself whole ("engineering" finds "engineer"; "go" and "it" still match although
-- English search drops them as stop words); a term with symbols ("c++", "c#", "node.js")
-- matches only itself whole.
CREATE FUNCTION offer_search_query(terms text[]) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    result tsquery;
    term text;
    part tsquery;
BEGIN
    FOREACH term IN ARRAY terms LOOP
        part := ('''' || replace(replace(term, '\', '\\'), '''', '''''') || '''')::tsquery;
        IF term ~ '^[[:alnum:]]+$' THEN
            part := plainto_tsquery('english', term) || part;
        END IF;
        result := CASE WHEN result IS NULL THEN part ELSE result && part END;
    END LOOP;
    RETURN result;
END
$$;
