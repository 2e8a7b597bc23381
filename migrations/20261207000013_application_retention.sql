-- Retention of applications' personal data: it is erased a number of days after the offer
-- ends. A closed offer ends when it was closed, which nothing recorded so far: `closed_at`,
-- written by the offer update (set when the status becomes closed, cleared when the offer is
-- published again). A published offer ends at its `valid_through`.
ALTER TABLE offers ADD COLUMN closed_at timestamptz;

-- Offers closed before this migration: their last change is the closest record of when (a
-- later edit of a closed offer only moves it forward, which keeps the data longer, never
-- shorter).
UPDATE offers SET closed_at = modification_date WHERE status = 'closed';

-- The sweep looks for applications still holding personal data on offers that ended long
-- enough ago; erased rows stay for the counts, and without this they would be read again by
-- every run, for ever.
CREATE INDEX applications_unerased_offer_idx ON applications (offer_id) WHERE erased_at IS NULL;
