-- One ordered index per employment type, so that the board filtered on one type counts and
-- pages from an index alone.
--
-- `employment_type=PART_TIME` was answered by the board's GIN index (migration 9): a GIN
-- index has no index-only scan, so counting its matches (up to 10 001) visited the heap row of
-- each, one ~2 KB row per page: 7 638 matches on 6 800 pages, 28 ms at 100 000 offers, 60 ms
-- at 1 000 000 (the GIN scan returns every match before the first page is read). A type is one
-- of eight fixed values, so each gets the newest-first index of the board (the same key and
-- INCLUDE as offers_board_newest_idx) over the published offers of that type: the count is an
-- index-only scan of 10 001 entries (1.8 ms at 100 000 offers, psql), and the page is its first
-- rows. src/repo/board.rs writes a single type into the statement as a constant, so that a
-- generic plan still proves the index's predicate. Several types at once stay with the GIN
-- index (an OR of these, in no common order). An offer is in the index of each of its types:
-- one or two small entries per write.

CREATE INDEX offers_board_full_time_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{FULL_TIME}';
CREATE INDEX offers_board_part_time_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{PART_TIME}';
CREATE INDEX offers_board_contractor_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{CONTRACTOR}';
CREATE INDEX offers_board_temporary_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{TEMPORARY}';
CREATE INDEX offers_board_intern_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{INTERN}';
CREATE INDEX offers_board_volunteer_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{VOLUNTEER}';
CREATE INDEX offers_board_per_diem_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{PER_DIEM}';
CREATE INDEX offers_board_other_idx ON offers (first_published_at DESC, id DESC)
    INCLUDE (valid_through)
    WHERE status = 'published' AND employment_types @> '{OTHER}';
