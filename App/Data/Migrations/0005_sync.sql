-- 0005: incremental market-data sync. data_sync_log gains a details document (provider, ranges requested
-- with their bar counts, rejects); data_sync_empty_ranges remembers expected bars a provider did not have
-- (exchange closures the calendar does not know, early closes, halts) so they are not requested every run.
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

ALTER TABLE data_sync_log ADD COLUMN details jsonb NOT NULL DEFAULT ('{}'::jsonb);

CREATE TABLE data_sync_empty_ranges (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instrument_id bigint NOT NULL,
    interval character varying(10) NOT NULL,
    provider character varying(20) NOT NULL,
    range_start timestamp with time zone NOT NULL,
    range_end timestamp with time zone NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_data_sync_empty_ranges PRIMARY KEY (id),
    CONSTRAINT ck_data_sync_empty_ranges_order CHECK (range_end >= range_start),
    CONSTRAINT fk_data_sync_empty_ranges_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE
);

CREATE INDEX ix_data_sync_empty_ranges_instrument_id_interval_provider ON data_sync_empty_ranges (instrument_id, interval, provider);
