-- 0008: a daily bar carries its trading date. Daily bars were stored at local midnight of their exchange, which east of
-- Greenwich is the previous UTC day: a Paris file running 2000-01-03 → 2021-02-22 showed as 2000-01-02 → 2021-02-21 and one
-- bar in five fell on a UTC Sunday. From now on a daily bar ('1Day') is stored at 00:00 UTC of its trading date, for every
-- exchange (see ExchangeCalendar's daily-bar rule); PriceBarWriter, the one way bars are written, normalises every daily bar.
-- (No check constraint: tests and tools that insert rows directly would need to know the rule.) Existing daily rows, and the daily
-- timestamps derived from them (features, sync log, empty ranges, regime training windows), move to 00:00 UTC of their
-- exchange-local date. Rows already at 00:00 UTC stay as they are. Intraday bars are untouched.
-- Applied migrations are never edited. (0007 belongs to the Hangfire change.)

-- The daily timestamp of an instant at an instrument's exchange.
CREATE FUNCTION pg_temp.trading_day(ts timestamptz, zone text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ts = date_trunc('day', ts, 'UTC') THEN ts ELSE ((ts AT TIME ZONE zone)::date)::timestamp AT TIME ZONE 'UTC' END
$$;

-- A bar already stored at the target time wins over the one that would move onto it (none is expected; this keeps the
-- unique index from stopping the migration).
DELETE FROM price_bars p USING instruments i, price_bars q
WHERE p.interval = '1Day' AND p.instrument_id = i.id AND p.ts <> date_trunc('day', p.ts, 'UTC')
  AND q.instrument_id = p.instrument_id AND q.interval = '1Day' AND q.id <> p.id AND q.ts = pg_temp.trading_day(p.ts, i.time_zone);

UPDATE price_bars p SET ts = pg_temp.trading_day(p.ts, i.time_zone)
FROM instruments i
WHERE p.interval = '1Day' AND p.instrument_id = i.id AND p.ts <> date_trunc('day', p.ts, 'UTC');

DELETE FROM features f USING instruments i, features g
WHERE f.interval = '1Day' AND f.instrument_id = i.id AND f.ts <> date_trunc('day', f.ts, 'UTC')
  AND g.instrument_id = f.instrument_id AND g.interval = '1Day' AND g.id <> f.id AND g.ts = pg_temp.trading_day(f.ts, i.time_zone);

UPDATE features f SET ts = pg_temp.trading_day(f.ts, i.time_zone)
FROM instruments i
WHERE f.interval = '1Day' AND f.instrument_id = i.id AND f.ts <> date_trunc('day', f.ts, 'UTC');

UPDATE data_sync_log l SET first_synced_ts = pg_temp.trading_day(l.first_synced_ts, i.time_zone),
                           last_synced_ts = pg_temp.trading_day(l.last_synced_ts, i.time_zone)
FROM instruments i
WHERE l.interval = '1Day' AND l.instrument_id = i.id;

UPDATE data_sync_empty_ranges r SET range_start = pg_temp.trading_day(r.range_start, i.time_zone),
                                    range_end = pg_temp.trading_day(r.range_end, i.time_zone)
FROM instruments i
WHERE r.interval = '1Day' AND r.instrument_id = i.id;

UPDATE regime_models m SET train_from = pg_temp.trading_day(m.train_from, i.time_zone),
                           train_to = pg_temp.trading_day(m.train_to, i.time_zone)
FROM instruments i
WHERE m.interval = '1Day' AND m.instrument_id = i.id;
