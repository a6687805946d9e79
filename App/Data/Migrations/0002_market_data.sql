-- 0002: market data: instruments, price bars (OHLC check constraints of the trading-buddy seed),
-- the sync log, and computed features with the regime columns.
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

CREATE TABLE instruments (
    id bigint GENERATED ALWAYS AS IDENTITY,
    symbol character varying(50) NOT NULL,
    exchange character varying(50) NOT NULL,
    name character varying(255),
    asset_type character varying(20) NOT NULL DEFAULT 'stock',
    sector character varying(100),
    market_cap_bucket character varying(50),
    pe_bucket character varying(50),
    currency character varying(3) NOT NULL DEFAULT 'USD',
    time_zone character varying(64) NOT NULL DEFAULT 'America/New_York',
    is_active boolean NOT NULL DEFAULT TRUE,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_instruments PRIMARY KEY (id),
    CONSTRAINT ck_instruments_market_cap_bucket CHECK (market_cap_bucket IS NULL OR market_cap_bucket IN ('small', 'mid', 'large')),
    CONSTRAINT ck_instruments_pe_bucket CHECK (pe_bucket IS NULL OR pe_bucket IN ('low', 'medium', 'high'))
);

CREATE TABLE data_sync_log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instrument_id bigint NOT NULL,
    interval character varying(10) NOT NULL,
    first_synced_ts timestamp with time zone,
    last_synced_ts timestamp with time zone,
    last_sync_at timestamp with time zone NOT NULL,
    bars_fetched integer NOT NULL,
    total_bars integer NOT NULL,
    status character varying(20) NOT NULL,
    error_message text,
    CONSTRAINT pk_data_sync_log PRIMARY KEY (id),
    CONSTRAINT ck_data_sync_log_status CHECK (status IN ('success', 'partial', 'failed')),
    CONSTRAINT fk_data_sync_log_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE
);

CREATE TABLE features (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instrument_id bigint NOT NULL,
    interval character varying(10) NOT NULL,
    ts timestamp with time zone NOT NULL,
    ret_1d double precision,
    ret_5d double precision,
    ret_20d double precision,
    rsi_14 double precision,
    momentum_5d double precision,
    vol_20d double precision,
    atr_14 double precision,
    volume_zscore double precision,
    additional jsonb NOT NULL DEFAULT ('{}'::jsonb),
    feature_version character varying(20) NOT NULL,
    model_id character varying(50),
    state_id integer,
    state_prob double precision,
    log_likelihood double precision,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_features PRIMARY KEY (id),
    CONSTRAINT ck_features_state_prob CHECK (state_prob IS NULL OR (state_prob >= 0 AND state_prob <= 1)),
    CONSTRAINT fk_features_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE
);

CREATE TABLE price_bars (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instrument_id bigint NOT NULL,
    interval character varying(10) NOT NULL,
    ts timestamp with time zone NOT NULL,
    open double precision NOT NULL,
    high double precision NOT NULL,
    low double precision NOT NULL,
    close double precision NOT NULL,
    volume double precision NOT NULL,
    vwap double precision,
    trade_count integer,
    source character varying(20) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_price_bars PRIMARY KEY (id),
    CONSTRAINT ck_price_bars_high_low CHECK (high >= low),
    CONSTRAINT ck_price_bars_high_open_close CHECK (high >= open AND high >= close),
    CONSTRAINT ck_price_bars_interval CHECK (interval IN ('1Min', '15Min', '1Hour', '1Day')),
    CONSTRAINT ck_price_bars_low_open_close CHECK (low <= open AND low <= close),
    CONSTRAINT ck_price_bars_positive_prices CHECK (open > 0 AND high > 0 AND low > 0 AND close > 0),
    CONSTRAINT ck_price_bars_volume CHECK (volume >= 0),
    CONSTRAINT fk_price_bars_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE
);

CREATE INDEX ix_data_sync_log_instrument_id_interval_last_sync_at ON data_sync_log (instrument_id, interval, last_sync_at);

CREATE INDEX ix_features_ts ON features (ts);

CREATE UNIQUE INDEX ux_features_instrument_id_interval_ts ON features (instrument_id, interval, ts);

CREATE INDEX ix_instruments_exchange ON instruments (exchange);

CREATE INDEX ix_instruments_is_active ON instruments (is_active);

CREATE UNIQUE INDEX ux_instruments_symbol_exchange ON instruments (symbol, exchange);

CREATE INDEX ix_price_bars_ts ON price_bars (ts);

CREATE UNIQUE INDEX ux_price_bars_instrument_id_interval_ts ON price_bars (instrument_id, interval, ts);
