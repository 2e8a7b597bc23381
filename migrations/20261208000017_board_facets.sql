-- Workplace, pay and posting week inside the board's GIN index, beside the country.
--
-- Migration 9 made words, skills, employment types and the country one GIN index, so that
-- they intersect inside it. Workplace, pay and `posted_within` stayed B-tree conditions, and
-- a query combining one of them with a GIN filter visited the heap row of every GIN match to
-- throw most of them away: `q=python&country=DE&salary_min=60000&currency=EUR` at 100 000
-- offers visited 3 796 pages to keep ~1 000 (25–32 ms in psql), at 1 000 000 offers 33 773
-- pages to count 10 001 (207 ms). Here every filter but the exact salary and date comparisons
-- is one GIN condition: the offer's facets are one text array — its country reach (as in
-- migration 9: ISO codes and '*'), `w:<workplace>`, `p:<currency>:<pay band>` and
-- `wk:<week of first publication>` — and src/repo/board.rs adds `facets && <tokens>` for each
-- of those filters when the query already reads its matches through this index. The tokens
-- are coarse (a pay band is 28% wide, a week seven days); the exact comparisons stay in the
-- query, so results are unchanged: the same query then visits 1 070 pages (13 ms) and 9 763
-- (110–139 ms) at the two sizes.
--
-- Bands and weeks are non-decreasing functions of the pay and the date, so every offer whose
-- pay reaches a floor has a band token at or above the floor's band (and likewise for weeks).
-- Every cast below is immutable (no enum-to-text output function), so the planner inlines the
-- expression.

CREATE FUNCTION offer_pay_band(yearly numeric) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN least(greatest(floor(ln(greatest(yearly, 0.01)) * 4), -20), 150)::integer;

-- The tokens of every band at or above that of `yearly_min`, in `currency`.
CREATE FUNCTION offer_pay_bands_from(currency text, yearly_min numeric) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT 'p:' || currency || ':' || band::text
                 FROM generate_series(offer_pay_band(yearly_min), 150) AS band);

CREATE FUNCTION offer_week(at timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN floor(extract(epoch FROM at) / 604800)::bigint;

-- The tokens of the weeks from that of `since` to the one after that of `until` (an offer
-- published an instant after the reading statement's clock still has its week).
CREATE FUNCTION offer_weeks_between(since timestamptz, until timestamptz) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT 'wk:' || week::text
                 FROM generate_series(offer_week(since), offer_week(until) + 1) AS week);

CREATE FUNCTION offer_board_facets(location_countries text[], workplace offer_workplace,
                                   remote_countries text[], salary_currency text,
                                   salary_max numeric, salary_period offer_salary_period,
                                   first_published_at timestamptz) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN offer_country_reach(location_countries, workplace, remote_countries)
        || CASE workplace
               WHEN 'remote' THEN '{w:remote}'::text[]
               WHEN 'hybrid' THEN '{w:hybrid}'::text[]
               WHEN 'on_site' THEN '{w:on_site}'::text[]
               ELSE '{}'::text[] END
        || CASE WHEN salary_currency IS NULL OR salary_max IS NULL THEN '{}'::text[]
               ELSE ARRAY['p:' || salary_currency || ':'
                          || offer_pay_band(offer_yearly(salary_max, salary_period))::text] END
        || CASE WHEN first_published_at IS NULL THEN '{}'::text[]
               ELSE ARRAY['wk:' || offer_week(first_published_at)::text] END;

CREATE INDEX offers_board_facets_idx ON offers USING gin (
        search_vector,
        skill_keys,
        employment_types,
        offer_board_facets(location_countries, workplace, remote_countries, salary_currency,
                           salary_max, salary_period, first_published_at))
    WHERE status = 'published';

DROP INDEX offers_board_filters_idx;
