-- Attempt limits shared by every replica and kept across restarts: one row per key and window.
-- Keys are SHA-256 digests (of the limit's name and the normalized client address, username or
-- account), so a row has a fixed size whatever a client sends; expired rows are swept.
CREATE TABLE attempt_limits (
    key          BYTEA       PRIMARY KEY CHECK (octet_length(key) = 32),
    count        INTEGER     NOT NULL CHECK (count > 0),
    -- The last attempt counted: growing delays are measured from it.
    last_at      TIMESTAMPTZ NOT NULL,
    -- The end of the window: the row counts until then, and is swept after.
    expires_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX attempt_limits_expires_at_idx ON attempt_limits (expires_at);
