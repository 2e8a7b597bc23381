-- Signed webhooks: an employer's endpoints, fed by the outbox (channel 'webhook': one row per
-- event and subscribed endpoint, written in the transaction of the change it tells of).
--
-- The secret is stored as issued, not hashed: the worker signs every delivery with it (HMAC),
-- so it must be readable; it is shown to the owner once, at registration, and never answered
-- again.
CREATE TABLE webhooks (
    id                   bigserial PRIMARY KEY,
    user_id              bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                  text NOT NULL CHECK (char_length(url) <= 2000),
    events               text[] NOT NULL CHECK (cardinality(events) >= 1),
    secret               text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Set when deliveries kept failing: nothing more is queued for it.
    disabled_at          timestamptz,
    disabled_reason      text,
    consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    -- Since when every attempt has failed (NULL after a success): a burst of deliveries during
    -- a short outage makes many failures in a row, which alone must not disable an endpoint.
    failing_since        timestamptz
);

CREATE INDEX webhooks_user_idx ON webhooks (user_id);

-- Every attempt of every delivery, for the owner to read (the last ones per endpoint).
CREATE TABLE webhook_deliveries (
    id         bigserial PRIMARY KEY,
    webhook_id bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id   uuid NOT NULL,
    type       text NOT NULL,
    attempt    integer NOT NULL,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The receiver's HTTP status, NULL when none came (refused, timed out, unreachable).
    status     integer,
    error      text CHECK (char_length(error) <= 1000),
    delivered  boolean NOT NULL
);

CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);

ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'webhook'));

-- Offers expire by the clock (published, valid_through passed), not by a write: the expiry job
-- marks each expiry once it has queued its `offer.expired`. A renewal clears the mark.
ALTER TABLE offers ADD COLUMN expiry_notified_at timestamptz;
CREATE INDEX offers_expiry_due_idx ON offers (valid_through)
    WHERE status = 'published' AND expiry_notified_at IS NULL;
-- Expiries from before webhooks existed are not news.
UPDATE offers SET expiry_notified_at = now() WHERE status = 'published' AND valid_through <= now();
