-- Seeds the benchmark data set, through the base columns only (generated columns fill
-- themselves). User 1 was registered through the API; every other user gets its password
-- hash, so any seeded user signs in with the same password. Offer k belongs to user
-- ((k-1) / per_user) + 1: user u owns offers (u-1)*per_user+1 .. u*per_user.
-- psql variables: users, per_user.
--
-- A contract v2 mix, each offer's share drawn from hashes of k (the same data set every run):
--   status        the last 8 of each user's 100 offers are hidden from everyone but their
--                 owner: 2 drafts, 2 closed (filled or withdrawn), 4 published but expired
--                 (valid_through between publication and now); the first 92 are open, 1-120
--                 days ahead, so that the benchmark's random reads (BENCH_VISIBLE_PER_USER)
--                 always find one
--   published     over the past ~300 days: in id order give or take 20 days, and one offer in
--                 ten anywhere in those 300 days, so newest first is by first_published_at,
--                 not by id
--   salary        70% of offers: EUR 45%, USD 30%, GBP 15%, CHF/PLN/SEK/CAD/JPY 10%; periods
--                 YEAR 75%, MONTH 15%, HOUR 7%, DAY 3%, amounts in the period's range
--   workplace     remote 30% (half anywhere, half limited to 1-3 countries), hybrid 20% (most
--                 within their locations' countries), on_site 35%, unset 15%
--   locations     1-3 per offer over 30 countries
--   employment    FULL_TIME 72%, PART_TIME 8%, CONTRACTOR 8%, FULL_TIME+CONTRACTOR 4%,
--                 INTERN 4%, TEMPORARY 4%
--
-- The offers' secondary indexes are dropped for the load and built again afterwards from
-- their own definitions, as the migrations left them: one sorted build each instead of a
-- million insertions into each (the GIN ones above all).
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO users (id, username, password_hash, created_at)
SELECT u, 'employer' || u, (SELECT password_hash FROM users WHERE id = 1),
       timestamptz '2024-01-01 00:00:00+00' + u * interval '1 minute'
FROM generate_series(2, :users) AS u;
SELECT setval(pg_get_serial_sequence('users', 'id'), :users);

-- Every index of offers but the primary key (and any other that backs a constraint).
CREATE TEMP TABLE seed_indexes ON COMMIT DROP AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
WHERE i.indrelid = 'offers'::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT s.name FROM seed_indexes s LOOP
        EXECUTE 'DROP INDEX ' || name;
    END LOOP;
END
$$;

INSERT INTO offers (id, user_id, title, description, skills_list, creation_date,
                    modification_date, status, close_reason, first_published_at, valid_through,
                    employment_types, workplace, locations, remote_countries, salary_currency,
                    salary_min, salary_max, salary_period)
WITH places AS (
    -- 32 cities in 30 countries.
    SELECT array_agg(jsonb_build_object('city', city, 'region', region, 'country', country,
                                        'postal_code', postal_code) ORDER BY n) AS place
    FROM (VALUES (1, 'Berlin', 'Berlin', 'DE', '10115'), (2, 'Paris', 'Île-de-France', 'FR', '75001'),
                 (3, 'London', 'England', 'GB', 'EC1A 1BB'), (4, 'Amsterdam', 'North Holland', 'NL', '1012'),
                 (5, 'Madrid', 'Madrid', 'ES', '28001'), (6, 'Milan', 'Lombardy', 'IT', '20121'),
                 (7, 'Lisbon', 'Lisbon', 'PT', '1100-148'), (8, 'Dublin', 'Leinster', 'IE', 'D01'),
                 (9, 'Brussels', 'Brussels', 'BE', '1000'), (10, 'Vienna', 'Vienna', 'AT', '1010'),
                 (11, 'Zurich', 'Zurich', 'CH', '8001'), (12, 'Warsaw', 'Masovia', 'PL', '00-001'),
                 (13, 'Prague', 'Prague', 'CZ', '110 00'), (14, 'Stockholm', 'Stockholm', 'SE', '111 20'),
                 (15, 'Copenhagen', 'Capital Region', 'DK', '1050'), (16, 'Oslo', 'Oslo', 'NO', '0150'),
                 (17, 'Munich', 'Bavaria', 'DE', '80331'), (18, 'Helsinki', 'Uusimaa', 'FI', '00100'),
                 (19, 'Tallinn', 'Harju', 'EE', '10111'), (20, 'Bucharest', 'Bucharest', 'RO', '010011'),
                 (21, 'Athens', 'Attica', 'GR', '105 57'), (22, 'New York', 'NY', 'US', '10001'),
                 (23, 'Toronto', 'Ontario', 'CA', 'M5H 2N2'), (24, 'Mexico City', 'CDMX', 'MX', '06000'),
                 (25, 'São Paulo', 'SP', 'BR', '01000-000'), (26, 'Buenos Aires', 'CABA', 'AR', 'C1002'),
                 (27, 'Tokyo', 'Tokyo', 'JP', '100-0001'), (28, 'Singapore', 'Singapore', 'SG', '018956'),
                 (29, 'Sydney', 'NSW', 'AU', '2000'), (30, 'Bangalore', 'Karnataka', 'IN', '560001'),
                 (31, 'Cape Town', 'Western Cape', 'ZA', '8001'), (32, 'San Francisco', 'CA', 'US', '94103'))
         AS p(n, city, region, country, postal_code)
), drawn AS (
    SELECT k,
           abs(hashint8extended(k, 1)) AS h_status,
           abs(hashint8extended(k, 2)) AS h_valid,
           abs(hashint8extended(k, 3)) AS h_posted,
           abs(hashint8extended(k, 4)) AS h_salary,
           abs(hashint8extended(k, 5)) AS h_workplace,
           abs(hashint8extended(k, 6)) AS h_type,
           abs(hashint8extended(k, 7)) AS h_places,
           now() - interval '300 days' * ((:users * :per_user - k)::float8 / (:users * :per_user))
               AS in_order
    FROM generate_series(1, :users * :per_user) AS k
), decided AS (
    SELECT d.*,
           CASE WHEN (k - 1) % :per_user >= :per_user - 8 + 4 THEN 'published'
                WHEN (k - 1) % :per_user >= :per_user - 8 + 2 THEN 'closed'
                WHEN (k - 1) % :per_user >= :per_user - 8 THEN 'draft'
                ELSE 'published' END::offer_status AS status,
           (k - 1) % :per_user >= :per_user - 4 AS expired,
           CASE WHEN h_posted % 10 = 0
                THEN now() - interval '300 days' * ((h_posted / 10 % 100000) / 100000.0)
                ELSE in_order - interval '20 days' * ((h_posted / 10 % 1000) / 1000.0)
           END AS posted,
           CASE WHEN h_workplace % 1000 < 300 THEN 'remote'
                WHEN h_workplace % 1000 < 500 THEN 'hybrid'
                WHEN h_workplace % 1000 < 850 THEN 'on_site' END::offer_workplace AS workplace,
           ARRAY(SELECT place[1 + (h_places / 3 + i * (1 + 2 * (h_places / 96 % 15))) % 32]
                 FROM places, generate_series(0, h_places % 3) AS i) AS located,
           -- A yearly amount in EUR, then the currency's and the period's.
           30000 + (h_salary / 1000 % 1000) * 120 AS yearly_eur,
           CASE WHEN h_salary / 1000000 % 100 < 45 THEN 'EUR'
                WHEN h_salary / 1000000 % 100 < 75 THEN 'USD'
                WHEN h_salary / 1000000 % 100 < 90 THEN 'GBP'
                ELSE (ARRAY['CHF', 'PLN', 'SEK', 'CAD', 'JPY'])[h_salary / 1000000 % 5 + 1] END
               AS currency,
           CASE WHEN h_salary / 100000000 % 100 < 75 THEN 'YEAR'
                WHEN h_salary / 100000000 % 100 < 90 THEN 'MONTH'
                WHEN h_salary / 100000000 % 100 < 97 THEN 'HOUR'
                ELSE 'DAY' END::offer_salary_period AS period
    FROM drawn d
), priced AS (
    SELECT c.*,
           round(yearly_eur
                 * CASE currency WHEN 'USD' THEN 1.1 WHEN 'GBP' THEN 0.85 WHEN 'CHF' THEN 0.95
                                 WHEN 'PLN' THEN 4.3 WHEN 'SEK' THEN 11.5 WHEN 'CAD' THEN 1.5
                                 WHEN 'JPY' THEN 160 ELSE 1 END
                 / CASE period WHEN 'MONTH' THEN 12 WHEN 'DAY' THEN 220 WHEN 'HOUR' THEN 1760
                               ELSE 1 END, 2) AS pay_min
    FROM decided c
)
SELECT k,
       (k - 1) / :per_user + 1,
       (ARRAY['Backend Engineer', 'Frontend Developer', 'DevOps Engineer', 'Data Engineer',
              'Site Reliability Engineer', 'Full-Stack Developer', 'Mobile Developer',
              'Machine Learning Engineer', 'Security Engineer', 'QA Engineer',
              'Database Administrator', 'Platform Engineer', 'Embedded Software Engineer',
              'Cloud Architect', 'Engineering Manager', 'Product Designer'])[k % 16 + 1]
         || ' (' || (ARRAY['junior', 'mid-level', 'senior', 'lead', 'principal'])[k % 5 + 1]
         || ', ref ' || k || ')',
       'We are looking for a ' || (ARRAY['curious', 'pragmatic', 'experienced', 'motivated'])[k % 4 + 1]
         || ' engineer to join a team of ' || (3 + k % 12) || ' people. '
         || repeat('You will design, build and operate services used by thousands of customers, '
                   || 'review code, mentor colleagues and improve our tooling. ', 1 + k % 5)
         || 'Remote-friendly; offer ' || k || '.',
       ARRAY(SELECT (ARRAY['python', 'rust', 'sql', 'postgresql', 'docker', 'kubernetes', 'aws',
                           'gcp', 'azure', 'linux', 'go', 'java', 'kotlin', 'swift', 'react',
                           'typescript', 'javascript', 'terraform', 'ansible', 'kafka', 'redis',
                           'graphql', 'rest', 'grpc', 'ci/cd', 'git', 'flask', 'django',
                           'spring', 'node.js', 'c++', 'c#', 'scala', 'spark', 'airflow',
                           'pandas', 'pytorch', 'elasticsearch', 'nginx', 'DevOps'])[(k * 7 + s * 13) % 40 + 1]
             FROM generate_series(1, 3 + k % 6) AS s),
       posted - interval '1 hour' * (h_status / 1000 % 48),
       CASE WHEN status = 'closed' THEN posted + (now() - posted) / 2 ELSE posted END,
       status,
       CASE WHEN status = 'closed'
            THEN (ARRAY['filled', 'withdrawn'])[h_status / 1000 % 2 + 1]::offer_close_reason END,
       CASE WHEN status <> 'draft' THEN posted END,
       CASE WHEN expired THEN posted + (now() - posted) * ((h_valid / 100 % 90 + 5) / 100.0)
            ELSE now() + interval '1 day' * (1 + h_valid / 100 % 120) END,
       (ARRAY['{FULL_TIME}', '{PART_TIME}', '{CONTRACTOR}', '{FULL_TIME,CONTRACTOR}', '{INTERN}',
              '{TEMPORARY}'])[CASE WHEN h_type % 100 < 72 THEN 1 WHEN h_type % 100 < 80 THEN 2
                                   WHEN h_type % 100 < 88 THEN 3 WHEN h_type % 100 < 92 THEN 4
                                   WHEN h_type % 100 < 96 THEN 5 ELSE 6 END]::offer_employment_type[],
       workplace,
       to_jsonb(located),
       CASE WHEN workplace = 'remote' AND h_workplace / 1000 % 2 = 1
                THEN ARRAY(SELECT (ARRAY['DE', 'FR', 'NL', 'ES', 'PL', 'GB', 'US', 'CA', 'PT', 'IE'])
                                      [1 + (h_workplace / 2000 + i * 3) % 10]
                           FROM generate_series(0, h_workplace / 20000 % 3) AS i)
            WHEN workplace = 'hybrid' AND h_workplace / 1000 % 10 < 7
                THEN ARRAY(SELECT DISTINCT place ->> 'country' FROM unnest(located) AS place)
            ELSE '{}' END,
       CASE WHEN h_salary % 100 < 70 THEN currency END,
       CASE WHEN h_salary % 100 < 70 THEN pay_min END,
       CASE WHEN h_salary % 100 < 70 THEN round(pay_min * (1.1 + (h_salary / 10 % 30) / 100.0), 2) END,
       CASE WHEN h_salary % 100 < 70 THEN period END
FROM priced;
SELECT setval(pg_get_serial_sequence('offers', 'id'), :users * :per_user);
-- The offers seeded as already expired had their expiry told long ago, as migration 15 marked
-- those it found: otherwise the server's webhook worker tells them 500 a minute during the
-- runs (40 000 at 1 000 000 offers: 80 minutes), each an UPDATE of the offer that adds
-- entries to every index, the GIN index's pending list included, which every board search
-- then reads (455 pending pages after 4 000 of them at 100 000 offers).
UPDATE offers SET expiry_notified_at = valid_through
WHERE status = 'published' AND valid_through <= now();

DO $$
DECLARE
    definition text;
BEGIN
    FOR definition IN SELECT s.definition FROM seed_indexes s LOOP
        EXECUTE definition;
    END LOOP;
END
$$;
COMMIT;
-- As autovacuum would after a bulk load: statistics, and the visibility map that lets the
-- board's counts be read by index-only scans.
VACUUM ANALYZE users;
VACUUM ANALYZE offers;
