-- A transactional outbox: a message is written in the same transaction as the change it tells
-- of, and a worker delivers it later, retrying with backoff, so that an outage of the receiving
-- side delays messages but loses none. Generic over its channel: e-mail now, signed webhook
-- deliveries later, each with its own payload shape.
--
-- A row is due while neither sent_at nor failed_at is set and next_attempt_at has passed.
-- A worker claims a row by moving next_attempt_at past the time it needs to deliver (a lease,
-- taken with FOR UPDATE SKIP LOCKED), so that replicas never deliver the same row together.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    channel         text NOT NULL CHECK (channel IN ('email')),
    payload         jsonb NOT NULL,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at         timestamptz,
    -- Given up on: a permanent refusal, or still failing past the retry period.
    failed_at       timestamptz,
    last_error      text CHECK (char_length(last_error) <= 1000),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT outbox_sent_or_failed CHECK (sent_at IS NULL OR failed_at IS NULL)
);

-- What the worker looks for: the due rows of a channel, oldest first. Delivered and failed rows
-- stay out of the index (they are kept a few days, then deleted).
CREATE INDEX outbox_due_idx ON outbox (channel, next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
-- The clean-up of delivered and failed rows.
CREATE INDEX outbox_done_idx ON outbox (coalesce(sent_at, failed_at))
    WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
