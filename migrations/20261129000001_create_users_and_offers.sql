-- Users own offers; usernames are unique regardless of case ("Alice" and "alice" are one account).
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));

CREATE TABLE offers (
    id                BIGSERIAL PRIMARY KEY,
    user_id           BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title             TEXT        NOT NULL,
    description       TEXT        NOT NULL,
    skills_list       TEXT[]      NOT NULL DEFAULT '{}',
    creation_date     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    modification_date TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- Listing one employer's offers in creation order is the hot path of the per-user routes.
CREATE INDEX offers_user_id_id_idx ON offers (user_id, id);
