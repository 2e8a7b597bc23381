-- The board's filters, answered by one index scan however they combine.
--
-- The board reads each query's matches in one pass that also counts them (src/repo/board.rs),
-- and every match costs a visit to its ~2 KB heap row (PostgreSQL 15 checks each one's
-- visibility there). What a query visits is therefore what its index scan returns. Migration 8
-- gave words, skills, employment types and location countries a GIN index each; a query with
-- two of them used one index and filtered the other on the heap, because the planner would
-- not combine two GIN bitmaps: at 100 000 offers `q=python&skills=rust` visited the 12 499
-- rows that say python (8 594 pages) to keep 4 999 of them, 39 ms. One GIN index over all four
-- columns intersects the conditions inside the index: 3 877 pages, 10 ms; `q=python&country=DE`
-- 4 187 matches, 8.5 ms.
--
-- The country filter becomes one exact condition of that index. `country=DE` means offers
-- located in DE, and remote or hybrid offers open to people in DE (remote_countries empty, for
-- anywhere, or naming DE). Migration 8 answered the second half from the workplace index and
-- checked remote_countries on every heap row (country=DE: ~12 000 pages visited, most to throw
-- the row away, 40 ms). Here an offer's reach is one array — its location countries, plus its
-- remote countries or '*' (anywhere) when it is remote or hybrid — and the filter is
-- `reach && ARRAY['DE', '*']`.
--
-- Expressions and indexes only: no table rewrite (about 3 s of index builds at 100 000 offers).

CREATE FUNCTION offer_country_reach(location_countries text[], workplace offer_workplace,
                                    remote_countries text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN location_countries || CASE
        WHEN workplace IN ('remote', 'hybrid') AND remote_countries = '{}' THEN ARRAY['*']
        WHEN workplace IN ('remote', 'hybrid') THEN remote_countries
        ELSE '{}'::text[] END;

CREATE INDEX offers_board_filters_idx ON offers USING gin (
        search_vector,
        skill_keys,
        employment_types,
        offer_country_reach(location_countries, workplace, remote_countries))
    WHERE status = 'published';

-- What the one index replaces.
DROP INDEX offers_search_vector_idx;
DROP INDEX offers_skill_keys_idx;
DROP INDEX offers_board_employment_types_idx;
DROP INDEX offers_board_location_countries_idx;

-- The matches pass reads (id, first_published_at). The salary index carries both, so that a
-- salary filter's pass stays an index-only scan rather than visiting ~7 500 heap pages for
-- 10 001 matches (22 ms at 100 000 offers, measured; 3 ms from the index alone).
DROP INDEX offers_board_salary_idx;
CREATE INDEX offers_board_salary_idx
    ON offers (salary_currency, offer_yearly(salary_max, salary_period))
    INCLUDE (salary_max, salary_period, valid_through, first_published_at, id)
    WHERE status = 'published' AND salary_currency IS NOT NULL;
