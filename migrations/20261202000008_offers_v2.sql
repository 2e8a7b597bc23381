-- Offers candidates can act on (contract v2): lifecycle, validity, pay, place and contract
-- type, and the employer's public profile. The board reads the offers table and its indexes
-- only: the per-word and per-skill lists and running totals kept by triggers (migrations 3
-- and 4) cannot know an offer's status or its expiry, and doubled the cost of every write.

DROP TRIGGER offers_lists_on_insert ON offers;
DROP TRIGGER offers_lists_on_update ON offers;
DROP TRIGGER offers_lists_on_delete ON offers;
DROP TRIGGER offers_lists_on_truncate ON offers;
DROP FUNCTION offer_lists_on_insert();
DROP FUNCTION offer_lists_on_update();
DROP FUNCTION offer_lists_on_delete();
DROP FUNCTION offer_lists_on_truncate();
DROP FUNCTION offer_lists_refresh(bigint[], bigint[]);
DROP TABLE offer_terms, offer_skills, offer_term_totals, offer_skill_totals;

DROP TRIGGER offers_total_on_insert ON offers;
DROP TRIGGER offers_total_on_delete ON offers;
DROP TRIGGER offers_total_on_truncate ON offers;
DROP FUNCTION offer_totals_track();
DROP TABLE offer_totals;

CREATE TYPE offer_status AS ENUM ('draft', 'published', 'closed');
CREATE TYPE offer_close_reason AS ENUM ('filled', 'withdrawn');
CREATE TYPE offer_workplace AS ENUM ('on_site', 'hybrid', 'remote');
-- schema.org's JobPosting employmentType values, exactly.
CREATE TYPE offer_employment_type AS ENUM (
    'FULL_TIME', 'PART_TIME', 'CONTRACTOR', 'TEMPORARY', 'INTERN', 'VOLUNTEER', 'PER_DIEM', 'OTHER');
CREATE TYPE offer_salary_period AS ENUM ('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR');

-- The ISO country codes of a locations array ([{"country": "DE", ...}, ...]), for the country
-- filter's index and the check against the ISO list.
CREATE FUNCTION offer_location_countries(locations jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT DISTINCT place ->> 'country' FROM jsonb_array_elements(locations) AS place
                 ORDER BY 1);

-- A pay amount per period turned yearly, for the salary filter: HOUR × 2 080, DAY × 260,
-- WEEK × 52, MONTH × 12.
CREATE FUNCTION offer_yearly(amount numeric, period offer_salary_period) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN amount * CASE period
        WHEN 'HOUR' THEN 2080 WHEN 'DAY' THEN 260 WHEN 'WEEK' THEN 52 WHEN 'MONTH' THEN 12
        ELSE 1 END;

-- Existing offers were visible at once: they stay published, posted when they were created,
-- and open for the default 60 days from now (rather than from a creation date that may be
-- long past, which would hide them the moment this runs).
-- Migration 2's search and skill indexes are replaced by partial ones below: dropped before
-- the table is rewritten (the generated location_countries) and backfilled, which would
-- otherwise write every row's entries into them again (at 100 000 offers the whole migration
-- took 13 s with them).
DROP INDEX offers_search_vector_idx;
DROP INDEX offers_skill_keys_idx;

ALTER TABLE offers
    ADD COLUMN status offer_status NOT NULL DEFAULT 'published',
    ADD COLUMN close_reason offer_close_reason,
    ADD COLUMN first_published_at timestamptz,
    ADD COLUMN valid_through timestamptz,
    ADD COLUMN employment_types offer_employment_type[] NOT NULL DEFAULT '{}',
    ADD COLUMN workplace offer_workplace,
    ADD COLUMN locations jsonb NOT NULL DEFAULT '[]',
    -- The locations' countries as an array, for the country filter's index: the jsonb walk
    -- of offer_location_countries costs ~4 µs, which a filter paid per row (149 ms at 100 000
    -- offers for country=DE). Generated, so it can never disagree with `locations`.
    ADD COLUMN location_countries text[]
        GENERATED ALWAYS AS (offer_location_countries(locations)) STORED,
    ADD COLUMN remote_countries text[] NOT NULL DEFAULT '{}',
    ADD COLUMN salary_currency text,
    ADD COLUMN salary_min numeric(14, 2),
    ADD COLUMN salary_max numeric(14, 2),
    ADD COLUMN salary_period offer_salary_period,
    ADD COLUMN apply_url text,
    ADD COLUMN apply_email text;

UPDATE offers SET first_published_at = creation_date,
                  valid_through = clock_timestamp() + interval '60 days';

-- A row inserted without them (a bulk load, a seed) is published as the original's offers
-- were: now, for the default 60 days. The service always sends both.
ALTER TABLE offers
    ALTER COLUMN first_published_at SET DEFAULT clock_timestamp(),
    ALTER COLUMN valid_through SET DEFAULT clock_timestamp() + interval '60 days';

ALTER TABLE offers
    ADD CONSTRAINT offers_published_once
        CHECK ((status = 'draft') = (first_published_at IS NULL)),
    ADD CONSTRAINT offers_valid_when_published
        CHECK (status = 'draft' OR valid_through IS NOT NULL),
    ADD CONSTRAINT offers_close_reason_when_closed
        CHECK ((status = 'closed') = (close_reason IS NOT NULL)),
    ADD CONSTRAINT offers_employment_types_bounded
        CHECK (cardinality(employment_types) <= 8),
    ADD CONSTRAINT offers_locations_array
        CHECK (jsonb_typeof(locations) = 'array' AND jsonb_array_length(locations) <= 20),
    ADD CONSTRAINT offers_location_countries_iso
        CHECK (location_countries <@ iso_country_codes()),
    ADD CONSTRAINT offers_remote_countries_iso
        CHECK (remote_countries <@ iso_country_codes() AND cardinality(remote_countries) <= 250),
    ADD CONSTRAINT offers_remote_countries_when_remote
        CHECK (remote_countries = '{}' OR workplace IN ('remote', 'hybrid')),
    ADD CONSTRAINT offers_salary_whole
        CHECK ((salary_currency IS NULL) = (salary_min IS NULL)
           AND (salary_min IS NULL) = (salary_max IS NULL)
           AND (salary_max IS NULL) = (salary_period IS NULL)),
    ADD CONSTRAINT offers_salary_currency_iso
        CHECK (salary_currency = ANY (iso_currency_codes())),
    ADD CONSTRAINT offers_salary_range
        CHECK (0 < salary_min AND salary_min <= salary_max),
    ADD CONSTRAINT offers_apply_url_length CHECK (char_length(apply_url) <= 2000),
    ADD CONSTRAINT offers_apply_email_length CHECK (char_length(apply_email) <= 254);

-- The board's newest page: published offers by posting date, read backwards from the end.
-- Expiry is decided at read time (valid_through against the clock), so it is a filter on
-- this range, not part of the index's predicate; valid_through is carried in the index so
-- that the filter, and the capped count of an unfiltered or posted_within board, are read
-- from the index alone (an index-only scan), not from ~2 KB heap rows.
CREATE INDEX offers_board_newest_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through) WHERE status = 'published';

-- The board only ever searches published offers: the search and skill indexes hold those
-- alone (drafts and closed offers cost them nothing), and the board's own predicate
-- (status = 'published') is what lets the planner use them. (The old ones were dropped
-- before the backfill above.)
CREATE INDEX offers_search_vector_idx ON offers USING gin (search_vector)
    WHERE status = 'published';
CREATE INDEX offers_skill_keys_idx ON offers USING gin (skill_keys)
    WHERE status = 'published';

-- The employment type filter (an overlap of arrays) by its matches rather than by every
-- published offer: measured at 100 000 offers, its capped count fell from 134 ms (a scan of
-- the table) to 37 ms (the matches' heap rows, for their validity).
CREATE INDEX offers_board_employment_types_idx ON offers USING gin (employment_types)
    WHERE status = 'published';

-- The country filter: offers located there by their location countries; the remote and
-- hybrid offers open to people there come from the workplace index below.
CREATE INDEX offers_board_location_countries_idx ON offers USING gin (location_countries)
    WHERE status = 'published';

-- The workplace filter, and its capped count, from the index alone.
CREATE INDEX offers_board_workplace_idx ON offers (workplace, first_published_at DESC, id DESC)
    INCLUDE (valid_through) WHERE status = 'published';

-- The salary filter: one currency's offers by their yearly maximum, its count from the index
-- alone (the expression's columns are included so that PostgreSQL may skip the heap).
CREATE INDEX offers_board_salary_idx
    ON offers (salary_currency, offer_yearly(salary_max, salary_period))
    INCLUDE (salary_max, salary_period, valid_through)
    WHERE status = 'published' AND salary_currency IS NOT NULL;

-- The employer's public profile.
ALTER TABLE users
    ADD COLUMN display_name text,
    ADD COLUMN website text,
    ADD COLUMN about text,
    ADD CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 100),
    ADD CONSTRAINT users_website_length CHECK (char_length(website) <= 2000),
    ADD CONSTRAINT users_about_length CHECK (char_length(about) <= 2000);
