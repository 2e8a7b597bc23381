-- The API's sync for aggregators (GET /api/v1/offers with updated_since and include=closed).
--
-- `updated_since` keeps the offers changed at or after a time: without an index on
-- modification_date every such query read the whole table to find the few changed since the
-- last sync. One index over every offer that has been public (published, expired or not, and
-- closed) serves the board (status = 'published' implies status <> 'draft', and the planner
-- proves it) and include=closed alike.
CREATE INDEX offers_sync_idx ON offers (modification_date) WHERE status <> 'draft';

-- include=closed lists closed and expired offers too, newest first like the board, in pages:
-- an aggregator's first sync walks every page. The board's own index holds published offers
-- only (migration 8), so without this one each page sorted every offer ever public.
CREATE INDEX offers_public_newest_idx ON offers (first_published_at DESC, id DESC)
    WHERE status <> 'draft';

-- With include=closed, an offer that expired since updated_since has changed too (expiry is
-- decided at read time and touches no row): its valid_through lies between then and now.
-- This index finds those, alongside offers_sync_idx (a bitmap OR of the two).
CREATE INDEX offers_expiry_idx ON offers (valid_through) WHERE status = 'published';
