-- 0014: runtime configuration and statistics. The feature-extractor seed's config_entries (an admin-edited layer of
-- configuration above appsettings and environment variables, read by DatabaseConfigurationProvider) with who last set an
-- entry, and statistics (the series sampled every five minutes for Admin → System) with an index on (key, timestamp)
-- that also serves the seed's lookups by key. Written from 'dotnet run --project App -- schema-script'.

CREATE TABLE config_entries (
    id bigint GENERATED ALWAYS AS IDENTITY,
    key character varying(200) NOT NULL,
    value text NOT NULL,
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_by uuid,
    CONSTRAINT pk_config_entries PRIMARY KEY (id),
    CONSTRAINT fk_config_entries_users_updated_by FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE statistics (
    id bigint GENERATED ALWAYS AS IDENTITY,
    key character varying(200) NOT NULL,
    value double precision NOT NULL,
    timestamp timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_statistics PRIMARY KEY (id)
);

CREATE INDEX ix_config_entries_updated_by ON config_entries (updated_by);

CREATE UNIQUE INDEX ux_config_entries_key ON config_entries (key);

CREATE INDEX ix_statistics_key_timestamp ON statistics (key, timestamp);
