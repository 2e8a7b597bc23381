-- Credentials that end. Every token and browser session carries the credentials version of its
-- user at the time it was issued; changing the password or signing out everywhere bumps the
-- version, so everything issued before stops working at once. Existing accounts start at 0,
-- which is also what a token issued before this migration (it has no version claim) counts as.
ALTER TABLE users
    ADD COLUMN credentials_version bigint NOT NULL DEFAULT 0
        CONSTRAINT users_credentials_version_check CHECK (credentials_version >= 0);

-- Browser sessions, one row per sign-in. The cookie holds a random secret; only its SHA-256 is
-- stored, so a copy of this table signs nobody in. A row counts while it has not expired and
-- its version is still its user's; signing out deletes it.
CREATE TABLE sessions (
    id                  bytea       PRIMARY KEY CHECK (octet_length(id) = 32),
    user_id             bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credentials_version bigint      NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);

-- Signing a user out everywhere deletes their rows; sign-ins sweep expired rows oldest first.
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
