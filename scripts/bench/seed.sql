-- Seeds the benchmark data set in two statements, through the base columns only (generated
-- columns fill themselves). User 1 was registered through the API; every other user gets its
-- password hash, so any seeded user signs in with the same password. Offer k belongs to user
-- ((k-1) / per_user) + 1: user u owns offers (u-1)*per_user+1 .. u*per_user.
-- psql variables: users, per_user.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO users (id, username, password_hash, created_at)
SELECT u, 'employer' || u, (SELECT password_hash FROM users WHERE id = 1),
       timestamptz '2024-01-01 00:00:00+00' + u * interval '1 minute'
FROM generate_series(2, :users) AS u;
SELECT setval(pg_get_serial_sequence('users', 'id'), :users);

INSERT INTO offers (id, user_id, title, description, skills_list, creation_date, modification_date)
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
       timestamptz '2024-01-01 00:00:00+00' + k * interval '10 seconds',
       timestamptz '2024-01-01 00:00:00+00' + k * interval '10 seconds'
FROM generate_series(1, :users * :per_user) AS k;
SELECT setval(pg_get_serial_sequence('offers', 'id'), :users * :per_user);
COMMIT;
-- As autovacuum would after a bulk load: statistics, and the visibility map that lets the
-- board's lists be read by index-only scans.
VACUUM ANALYZE users;
VACUUM ANALYZE offers;
VACUUM ANALYZE offer_terms;
VACUUM ANALYZE offer_skills;
