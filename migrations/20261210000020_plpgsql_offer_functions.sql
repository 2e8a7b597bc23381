-- The functions that compute an offer's generated columns and check its ISO codes, and the
-- board's search keys, in PL/pgSQL: the same queries and results, planned once per
-- connection instead of once per statement.
--
-- A SQL function whose body holds a query (`ARRAY(SELECT …)`) cannot be inlined, and
-- PostgreSQL plans that query again in every statement that calls it. An INSERT of one offer
-- made eight calls of four of them for its generated columns (skill keys, the search vector's
-- words and lexemes, the countries of its locations), and built the two ISO lists (249 and
-- 168 codes) of its CHECK constraints, in every statement. That was most of a create's
-- database time: one offer inserted per statement into a copy of the table with its generated
-- columns and constraints but no index took 1.7-2.2 ms; with these bodies in PL/pgSQL, which
-- keeps its plans and the lists for the connection's life, 0.43-0.61 ms (psql, 600 inserts).
-- The create's INSERT into the bench seed's 100 000 offers (pgbench, pg_stat_statements):
-- 2.15-2.43 -> 0.95-1.00 ms. The board's two query-side functions with a query in their body
-- (`offer_search_keys`, `offer_keys_query`) follow for the same reason; called with constants,
-- the planner evaluates them once either way (0.3-0.5 ms in psql, both languages).
--
-- Every body below is the one it replaces, unchanged, so stored values (the generated columns
-- and the indexes built from them) stay what these functions return. The four behind the
-- generated columns call built-in functions only; the two query-side ones call the functions
-- they called before, found on the connection's search path as then.

CREATE OR REPLACE FUNCTION offer_skill_keys(skills text[]) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY(SELECT lower(skill) FROM unnest(skills) AS skill);
END
$$;

CREATE OR REPLACE FUNCTION offer_words(body text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY(
        SELECT DISTINCT word
        FROM (
            SELECT btrim(piece, '.;:!?()[]{}"''<>*/\|`~') AS word
            FROM regexp_split_to_table(lower(body), '[[:space:],]+') AS piece
        ) AS pieces
        -- tsvector refuses lexemes over 2 KiB; such a "word" is no search term anyway.
        WHERE word <> '' AND octet_length(word) <= 2046
    );
END
$$;

CREATE OR REPLACE FUNCTION offer_lexemes(words text[]) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN coalesce(
        (SELECT string_agg(
                    '''' || replace(replace(word, '\', '\\'), '''', '''''') || ''':1', ' ')
         FROM unnest(words) AS word)::tsvector,
        ''::tsvector);
END
$$;

CREATE OR REPLACE FUNCTION offer_location_countries(locations jsonb) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY(SELECT DISTINCT place ->> 'country' FROM jsonb_array_elements(locations) AS place
                 ORDER BY 1);
END
$$;

CREATE OR REPLACE FUNCTION offer_search_keys(text text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY(
        SELECT DISTINCT coalesce(
            CASE WHEN word ~ '^[[:alnum:]]+$' THEN
                (SELECT min(lexeme) FROM unnest(to_tsvector('english', word)) HAVING count(*) = 1)
            END,
            word) AS key
        FROM unnest(offer_words(text)) AS word
        ORDER BY key);
END
$$;

CREATE OR REPLACE FUNCTION offer_keys_query(keys text[]) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN (SELECT string_agg(offer_key_query(key)::text, ' & ') FROM unnest(keys) AS key)::tsquery;
END
$$;

CREATE OR REPLACE FUNCTION iso_country_codes() RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY['AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ', 'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ', 'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM', 'HN', 'HR', 'HT', 'HU', 'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM', 'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW', 'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU', 'WF', 'WS', 'YE', 'YT', 'ZA', 'ZM', 'ZW'];
END
$$;

CREATE OR REPLACE FUNCTION iso_currency_codes() RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY['AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BHD', 'BIF', 'BMD', 'BND', 'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF', 'CHW', 'CLF', 'CLP', 'CNY', 'COP', 'COU', 'CRC', 'CUC', 'CUP', 'CVE', 'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GNF', 'GTQ', 'GYD', 'HKD', 'HNL', 'HRK', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IQD', 'IRR', 'ISK', 'JMD', 'JOD', 'JPY', 'KES', 'KGS', 'KHR', 'KMF', 'KPW', 'KRW', 'KWD', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'LYD', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MXV', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'OMR', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SLL', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TND', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'USD', 'USN', 'UYI', 'UYU', 'UYW', 'UZS', 'VED', 'VES', 'VND', 'VUV', 'WST', 'XAF', 'XCD', 'XOF', 'XPF', 'YER', 'ZAR', 'ZMW', 'ZWL'];
END
$$;
