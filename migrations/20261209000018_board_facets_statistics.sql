-- Statistics on the board's facets (migration 17), so that the planner knows how many offers
-- each facet token matches.
--
-- PostgreSQL keeps statistics on an index's expressions only for indexes without a WHERE
-- clause, and the board's GIN index is partial (published offers only). Without them every
-- `facets && <tokens>` condition is guessed at 0.5% of the table, two of them at 0.0025%:
-- `country=DE&workplace=remote` was planned for 4 matches where 18 800 exist, so the page
-- after its capped count read and sorted every match (134 ms at 100 000 offers) instead of
-- walking the newest offers for 21 of them (under 2 ms). An expression statistics object
-- (PostgreSQL 14+) gives the planner the tokens' frequencies (most common elements) whatever
-- the index.
--
-- The expression is the index's, written the same way, so the planner matches the one with
-- the other and with the conditions src/repo/board.rs writes.

CREATE STATISTICS offers_board_facets_stats ON (
        offer_board_facets(location_countries, workplace, remote_countries, salary_currency,
                           salary_max, salary_period, first_published_at))
    FROM offers;

-- Built now rather than at autovacuum's next pass over the table. ANALYZE reads a fixed
-- sample (30 000 rows), so its time barely grows with the table: 2.8 s at 100 000 offers.
ANALYZE offers;
