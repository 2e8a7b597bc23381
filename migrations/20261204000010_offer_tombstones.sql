-- Deleted offers that had been public: for as long as its tombstone is kept (tombstone_days,
-- 90 by default), a deleted offer's public address answers 410 Gone rather than 404, so that
-- search engines and aggregators drop it at once instead of retrying it as a broken link.
-- A tombstone keeps only the id and the time; drafts, never public, leave none.
CREATE TABLE offer_tombstones (
    offer_id bigint PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now()
);

-- Expired tombstones are purged by age.
CREATE INDEX offer_tombstones_deleted_at_idx ON offer_tombstones (deleted_at);
