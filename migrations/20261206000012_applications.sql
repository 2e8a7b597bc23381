-- Candidates apply here: an offer may take applications (`apply_native`), each kept with its
-- stage, its history, the employer's notes and an optional CV. A new column with a constant
-- default is a catalogue change only (PostgreSQL 11+): no rewrite of the offers.
ALTER TABLE offers ADD COLUMN apply_native boolean NOT NULL DEFAULT false;

CREATE TYPE application_stage AS ENUM
    ('new', 'reviewing', 'interview', 'offer', 'hired', 'rejected', 'withdrawn');

-- Personal data (name, email, phone, cover letter) is nullable because erasure (retention,
-- a deleted account) clears it and keeps the row, anonymous, for the counts per stage.
-- The candidate's private link is an unguessable token; only its SHA-256 is stored, and the
-- salt it is derived from (with the server's secret), so that an idempotent retry can answer
-- with the same link without the link itself ever being stored.
CREATE TABLE applications (
    id           bigserial PRIMARY KEY,
    offer_id     bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    stage        application_stage NOT NULL DEFAULT 'new',
    name         text,
    email        text,
    phone        text,
    cover_letter text,
    token_hash   bytea NOT NULL,
    token_salt   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    erased_at    timestamptz,
    CONSTRAINT applications_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT applications_email_length CHECK (char_length(email) <= 254),
    CONSTRAINT applications_phone_length CHECK (char_length(phone) <= 40),
    CONSTRAINT applications_cover_letter_length CHECK (char_length(cover_letter) <= 10000)
);

CREATE UNIQUE INDEX applications_token_hash_key ON applications (token_hash);
-- One application per e-mail per offer, however the address is cased; erased rows no longer
-- hold one.
CREATE UNIQUE INDEX applications_offer_email_key ON applications (offer_id, lower(email))
    WHERE email IS NOT NULL;
-- An employer's lists: per offer, newest first (the employer-wide list joins offers by owner).
CREATE INDEX applications_offer_id_id_idx ON applications (offer_id, id);

-- CV bytes apart from the application, so that no list or detail read ever touches them.
-- EXTERNAL: stored uncompressed out of line (PDF and the zipped office formats hardly
-- compress), which lets a download read the file a slice at a time with substring().
CREATE TABLE application_cvs (
    application_id bigint PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('pdf', 'docx', 'odt')),
    filename       text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    size           integer NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    content        bytea NOT NULL
);
ALTER TABLE application_cvs ALTER COLUMN content SET STORAGE EXTERNAL;

-- Every stage an application has been in: when, and who moved it (an employer; NULL by_user
-- with by_candidate for the candidate's own submit and withdrawal).
CREATE TABLE application_stage_changes (
    id             bigserial PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    stage          application_stage NOT NULL,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    by_user        bigint REFERENCES users (id) ON DELETE SET NULL,
    by_candidate   boolean NOT NULL DEFAULT false
);
CREATE INDEX application_stage_changes_application_idx
    ON application_stage_changes (application_id, id);

-- The employer's private notes on an application.
CREATE TABLE application_notes (
    id             bigserial PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    author         bigint REFERENCES users (id) ON DELETE SET NULL,
    body           text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 10000),
    at             timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX application_notes_application_idx ON application_notes (application_id, id);

-- Idempotency-Key of a submit: the key (hashed with the offer, fixed size whatever a client
-- sends), a digest of what was submitted, and the application it created. Kept 24 hours.
CREATE TABLE application_submissions (
    key_hash       bytea PRIMARY KEY,
    request_hash   bytea NOT NULL,
    application_id bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX application_submissions_created_at_idx ON application_submissions (created_at);
