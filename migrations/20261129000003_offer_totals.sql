-- The board's unfiltered count ("N offers") without counting 100 000 rows on every page view:
-- a running total kept by statement triggers. Split into 16 shards picked by backend so that
-- concurrent creates don't queue on one row lock; the total is the sum of the shards.
CREATE TABLE offer_totals (
    shard integer PRIMARY KEY,
    total bigint  NOT NULL
);

INSERT INTO offer_totals (shard, total) SELECT 0, count(*) FROM offers;

CREATE FUNCTION offer_totals_track() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    change bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO change FROM added;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT -count(*) INTO change FROM removed;
    ELSE
        -- TRUNCATE: everything is gone.
        DELETE FROM offer_totals;
        RETURN NULL;
    END IF;
    IF change <> 0 THEN
        INSERT INTO offer_totals AS totals (shard, total) VALUES (pg_backend_pid() % 16, change)
        ON CONFLICT (shard) DO UPDATE SET total = totals.total + excluded.total;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER offers_total_on_insert AFTER INSERT ON offers
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION offer_totals_track();
CREATE TRIGGER offers_total_on_delete AFTER DELETE ON offers
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION offer_totals_track();
CREATE TRIGGER offers_total_on_truncate AFTER TRUNCATE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION offer_totals_track();
