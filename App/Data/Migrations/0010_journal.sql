-- 0010: the trading journal. The trading-buddy seed's snaptrade_users, broker_connections, trade_fills (an immutable
-- ledger: corrections are reversal rows), decision_contexts, campaign_checks, campaign_fills (FIFO zero-crossing
-- groups, with the part of a flip fill's quantity in each group), journal_entries and user_rules, with the seed's
-- checks, unique keys and indexes; the seed's strategy columns on our strategies table; and our own import_batches,
-- journal_attachments (size-limited images), trade_plans (pre-trade checks), broker_csv_mappings (generic CSV
-- column mappings) and campaign_summaries (a derived per-campaign cache for the grids and statistics).
-- journal_entries.date is a date, not the seed's varchar(10) 'YYYY-MM-DD', so it sorts and filters as one.
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

ALTER TABLE strategies
    ADD COLUMN direction character varying(10) NOT NULL DEFAULT 'both',
    ADD COLUMN timeframes jsonb NOT NULL DEFAULT ('["1Day"]'::jsonb),
    ADD COLUMN entry_criteria character varying(4000),
    ADD COLUMN exit_criteria character varying(4000),
    ADD COLUMN max_risk_pct double precision,
    ADD COLUMN min_risk_reward double precision,
    ADD COLUMN risk_profile jsonb,
    ADD COLUMN implied_strategy_family character varying(50),
    ADD CONSTRAINT ck_strategies_direction CHECK (direction IN ('long', 'short', 'both')),
    ADD CONSTRAINT ck_strategies_implied_strategy_family CHECK (implied_strategy_family IN ('trend', 'breakout', 'momentum', 'mean_reversion', 'volatility')),
    ADD CONSTRAINT ck_strategies_max_risk_pct CHECK (max_risk_pct > 0 AND max_risk_pct <= 100),
    ADD CONSTRAINT ck_strategies_min_risk_reward CHECK (min_risk_reward > 0);

CREATE TABLE broker_csv_mappings (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    broker_name character varying(100) NOT NULL,
    mapping jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_broker_csv_mappings PRIMARY KEY (id),
    CONSTRAINT fk_broker_csv_mappings_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE import_batches (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    file_name character varying(255) NOT NULL,
    format_id character varying(64) NOT NULL,
    broker character varying(100) NOT NULL,
    file_sha256 character varying(64) NOT NULL,
    file_size integer NOT NULL,
    fills_read integer NOT NULL,
    fills_added integer NOT NULL,
    fills_duplicate integer NOT NULL,
    rows_skipped integer NOT NULL,
    status character varying(16) NOT NULL DEFAULT 'imported',
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    undone_at timestamp with time zone,
    CONSTRAINT pk_import_batches PRIMARY KEY (id),
    CONSTRAINT ck_import_batches_counts CHECK (file_size >= 0 AND fills_read >= 0 AND fills_added >= 0 AND fills_duplicate >= 0 AND rows_skipped >= 0),
    CONSTRAINT ck_import_batches_status CHECK (status IN ('imported', 'undone')),
    CONSTRAINT fk_import_batches_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE journal_entries (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    date date NOT NULL,
    entry_type character varying(30) NOT NULL,
    content character varying(50000) NOT NULL,
    trade_id character varying(50),
    tags jsonb NOT NULL DEFAULT ('[]'::jsonb),
    mood character varying(20),
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_journal_entries PRIMARY KEY (id),
    CONSTRAINT ck_journal_entries_entry_type CHECK (entry_type IN ('daily', 'trade', 'weekly', 'lesson')),
    CONSTRAINT ck_journal_entries_tags CHECK (jsonb_typeof(tags) = 'array'),
    CONSTRAINT fk_journal_entries_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE snaptrade_users (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    snap_trade_user_id character varying(255) NOT NULL,
    protected_secret text NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_snaptrade_users PRIMARY KEY (id),
    CONSTRAINT fk_snaptrade_users_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE user_rules (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    rule_code character varying(50) NOT NULL,
    evaluator character varying(100) NOT NULL,
    parameters jsonb NOT NULL DEFAULT ('{}'::jsonb),
    is_enabled boolean NOT NULL DEFAULT TRUE,
    description character varying(1000),
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_user_rules PRIMARY KEY (id),
    CONSTRAINT fk_user_rules_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE journal_attachments (
    id bigint GENERATED ALWAYS AS IDENTITY,
    journal_entry_id bigint NOT NULL,
    user_id uuid NOT NULL,
    file_name character varying(255) NOT NULL,
    content_type character varying(100) NOT NULL,
    size_bytes integer NOT NULL,
    data bytea NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_journal_attachments PRIMARY KEY (id),
    CONSTRAINT ck_journal_attachments_content_type CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
    CONSTRAINT ck_journal_attachments_size CHECK (size_bytes > 0 AND size_bytes <= 2097152 AND octet_length(data) = size_bytes),
    CONSTRAINT fk_journal_attachments_journal_entries_journal_entry_id FOREIGN KEY (journal_entry_id) REFERENCES journal_entries (id) ON DELETE CASCADE,
    CONSTRAINT fk_journal_attachments_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE broker_connections (
    id bigint GENERATED ALWAYS AS IDENTITY,
    snap_trade_user_id bigint NOT NULL,
    user_id uuid NOT NULL,
    brokerage_name character varying(100) NOT NULL,
    brokerage_slug character varying(50) NOT NULL,
    authorization_id character varying(255) NOT NULL,
    meta jsonb NOT NULL DEFAULT ('{}'::jsonb),
    is_active boolean NOT NULL DEFAULT TRUE,
    last_synced_at timestamp with time zone,
    last_sync_status character varying(16),
    last_sync_error character varying(2000),
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_broker_connections PRIMARY KEY (id),
    CONSTRAINT ck_broker_connections_last_sync_status CHECK (last_sync_status IN ('success', 'failed', 'expired')),
    CONSTRAINT fk_broker_connections_snaptrade_users_snap_trade_user_id FOREIGN KEY (snap_trade_user_id) REFERENCES snaptrade_users (id) ON DELETE CASCADE,
    CONSTRAINT fk_broker_connections_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE trade_fills (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    broker_connection_id bigint,
    instrument_id bigint,
    symbol character varying(32) NOT NULL,
    side character varying(4) NOT NULL,
    quantity numeric(24,8) NOT NULL,
    price numeric(24,10) NOT NULL,
    fees numeric(20,6) NOT NULL DEFAULT 0.0,
    executed_at timestamp with time zone NOT NULL,
    broker character varying(100),
    asset_type character varying(16) NOT NULL DEFAULT ('equity'),
    currency character varying(10) NOT NULL DEFAULT 'USD',
    order_id character varying(255),
    venue character varying(100),
    external_trade_id character varying(255) NOT NULL,
    source character varying(20) NOT NULL,
    import_batch_id bigint,
    raw_data jsonb,
    isin character varying(12),
    multiplier numeric(12,4) NOT NULL DEFAULT 1.0,
    option_underlying character varying(20),
    option_expiry date,
    option_strike numeric(20,6),
    option_right character varying(4),
    reverses_fill_id bigint,
    replaces_fill_id bigint,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_trade_fills PRIMARY KEY (id),
    CONSTRAINT ck_trade_fills_asset_type CHECK (asset_type IN ('equity', 'option', 'crypto')),
    CONSTRAINT ck_trade_fills_currency CHECK (currency ~ '^[A-Z0-9]{2,10}$'),
    CONSTRAINT ck_trade_fills_fees CHECK (fees >= 0),
    CONSTRAINT ck_trade_fills_multiplier CHECK (multiplier > 0),
    CONSTRAINT ck_trade_fills_option_right CHECK (option_right IN ('call', 'put')),
    CONSTRAINT ck_trade_fills_price CHECK (price >= 0),
    CONSTRAINT ck_trade_fills_quantity CHECK (quantity > 0),
    CONSTRAINT ck_trade_fills_side CHECK (side IN ('buy', 'sell')),
    CONSTRAINT ck_trade_fills_source CHECK (source IN ('broker_synced', 'manual', 'file_import')),
    CONSTRAINT fk_trade_fills_broker_connections_broker_connection_id FOREIGN KEY (broker_connection_id) REFERENCES broker_connections (id) ON DELETE SET NULL,
    CONSTRAINT fk_trade_fills_import_batches_import_batch_id FOREIGN KEY (import_batch_id) REFERENCES import_batches (id) ON DELETE RESTRICT,
    CONSTRAINT fk_trade_fills_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE SET NULL,
    CONSTRAINT fk_trade_fills_trade_fills_replaces_fill_id FOREIGN KEY (replaces_fill_id) REFERENCES trade_fills (id) ON DELETE RESTRICT,
    CONSTRAINT fk_trade_fills_trade_fills_reverses_fill_id FOREIGN KEY (reverses_fill_id) REFERENCES trade_fills (id) ON DELETE RESTRICT,
    CONSTRAINT fk_trade_fills_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE campaign_fills (
    id bigint GENERATED ALWAYS AS IDENTITY,
    group_id bigint NOT NULL,
    fill_id bigint NOT NULL,
    quantity numeric(24,8) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_campaign_fills PRIMARY KEY (id),
    CONSTRAINT ck_campaign_fills_quantity CHECK (quantity > 0),
    CONSTRAINT fk_campaign_fills_trade_fills_fill_id FOREIGN KEY (fill_id) REFERENCES trade_fills (id) ON DELETE CASCADE
);

CREATE TABLE campaign_summaries (
    group_id bigint NOT NULL,
    user_id uuid NOT NULL,
    symbol character varying(32) NOT NULL,
    asset_type character varying(16) NOT NULL,
    direction character varying(5) NOT NULL,
    opened_at timestamp with time zone NOT NULL,
    closed_at timestamp with time zone,
    entry_average numeric(24,10) NOT NULL,
    exit_average numeric(24,10),
    max_position numeric(24,8) NOT NULL,
    open_quantity numeric(24,8) NOT NULL,
    realised_pnl numeric(20,6) NOT NULL,
    return_pct double precision,
    fees numeric(20,6) NOT NULL,
    r_multiple double precision,
    mae numeric(20,6),
    mfe numeric(20,6),
    fill_count integer NOT NULL,
    currency character varying(10) NOT NULL,
    strategy_id bigint,
    regime character varying(32),
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_campaign_summaries PRIMARY KEY (group_id),
    CONSTRAINT ck_campaign_summaries_asset_type CHECK (asset_type IN ('equity', 'option', 'crypto')),
    CONSTRAINT ck_campaign_summaries_direction CHECK (direction IN ('long', 'short')),
    CONSTRAINT fk_campaign_summaries_strategies_strategy_id FOREIGN KEY (strategy_id) REFERENCES strategies (id) ON DELETE SET NULL,
    CONSTRAINT fk_campaign_summaries_trade_fills_group_id FOREIGN KEY (group_id) REFERENCES trade_fills (id) ON DELETE CASCADE,
    CONSTRAINT fk_campaign_summaries_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE decision_contexts (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    fill_id bigint NOT NULL,
    context_type character varying(30) NOT NULL,
    strategy_id bigint,
    hypothesis character varying(4000),
    exit_intent jsonb,
    feelings_then jsonb,
    feelings_now jsonb,
    notes character varying(8000),
    snapshot jsonb,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_decision_contexts PRIMARY KEY (id),
    CONSTRAINT ck_decision_contexts_context_type CHECK (context_type IN ('entry', 'add', 'reduce', 'exit', 'idea', 'post_trade_reflection')),
    CONSTRAINT fk_decision_contexts_strategies_strategy_id FOREIGN KEY (strategy_id) REFERENCES strategies (id) ON DELETE SET NULL,
    CONSTRAINT fk_decision_contexts_trade_fills_fill_id FOREIGN KEY (fill_id) REFERENCES trade_fills (id) ON DELETE CASCADE,
    CONSTRAINT fk_decision_contexts_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE trade_plans (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    symbol character varying(32) NOT NULL,
    side character varying(4) NOT NULL,
    quantity numeric(24,8) NOT NULL,
    price numeric(24,10) NOT NULL,
    stop numeric(24,10),
    target numeric(24,10),
    strategy_id bigint,
    hypothesis character varying(4000),
    checks jsonb NOT NULL DEFAULT ('[]'::jsonb),
    snapshot jsonb,
    trader_action character varying(20),
    fill_id bigint,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    decided_at timestamp with time zone,
    CONSTRAINT pk_trade_plans PRIMARY KEY (id),
    CONSTRAINT ck_trade_plans_quantity CHECK (quantity > 0 AND price > 0),
    CONSTRAINT ck_trade_plans_side CHECK (side IN ('buy', 'sell')),
    CONSTRAINT ck_trade_plans_trader_action CHECK (trader_action IN ('proceeded', 'modified', 'cancelled')),
    CONSTRAINT fk_trade_plans_strategies_strategy_id FOREIGN KEY (strategy_id) REFERENCES strategies (id) ON DELETE SET NULL,
    CONSTRAINT fk_trade_plans_trade_fills_fill_id FOREIGN KEY (fill_id) REFERENCES trade_fills (id) ON DELETE SET NULL,
    CONSTRAINT fk_trade_plans_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE campaign_checks (
    id bigint GENERATED ALWAYS AS IDENTITY,
    decision_context_id bigint NOT NULL,
    user_id uuid NOT NULL,
    check_type character varying(50) NOT NULL,
    severity character varying(10) NOT NULL,
    passed boolean NOT NULL,
    details jsonb,
    nudge_text character varying(2000),
    acknowledged boolean NOT NULL DEFAULT FALSE,
    trader_action character varying(20),
    checked_at timestamp with time zone NOT NULL DEFAULT (now()),
    check_phase character varying(20) NOT NULL,
    CONSTRAINT pk_campaign_checks PRIMARY KEY (id),
    CONSTRAINT ck_campaign_checks_check_phase CHECK (check_phase IN ('pre_trade', 'at_entry', 'during', 'at_exit', 'post_trade')),
    CONSTRAINT ck_campaign_checks_severity CHECK (severity IN ('info', 'warn', 'critical')),
    CONSTRAINT ck_campaign_checks_trader_action CHECK (trader_action IN ('proceeded', 'modified', 'cancelled')),
    CONSTRAINT fk_campaign_checks_decision_contexts_decision_context_id FOREIGN KEY (decision_context_id) REFERENCES decision_contexts (id) ON DELETE CASCADE,
    CONSTRAINT fk_campaign_checks_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_broker_connections_snap_trade_user_id ON broker_connections (snap_trade_user_id);

CREATE INDEX ix_broker_connections_user_id ON broker_connections (user_id);

CREATE UNIQUE INDEX ux_broker_connections_authorization_id ON broker_connections (authorization_id);

CREATE UNIQUE INDEX ux_broker_csv_mappings_user_id_broker_name ON broker_csv_mappings (user_id, broker_name);

CREATE INDEX ix_campaign_checks_decision_context_id ON campaign_checks (decision_context_id);

CREATE INDEX ix_campaign_checks_user_id_check_type_passed ON campaign_checks (user_id, check_type, passed);

CREATE INDEX ix_campaign_fills_fill_id ON campaign_fills (fill_id);

CREATE INDEX ix_campaign_fills_group_id ON campaign_fills (group_id);

CREATE UNIQUE INDEX ux_campaign_fills_group_id_fill_id ON campaign_fills (group_id, fill_id);

CREATE INDEX ix_campaign_summaries_strategy_id ON campaign_summaries (strategy_id);

CREATE INDEX ix_campaign_summaries_user_id_opened_at ON campaign_summaries (user_id, opened_at);

CREATE INDEX ix_campaign_summaries_user_id_symbol ON campaign_summaries (user_id, symbol);

CREATE INDEX ix_decision_contexts_strategy_id ON decision_contexts (strategy_id);

CREATE INDEX ix_decision_contexts_user_id_fill_id ON decision_contexts (user_id, fill_id);

CREATE UNIQUE INDEX ux_decision_contexts_fill_id ON decision_contexts (fill_id);

CREATE INDEX ix_import_batches_user_id_created_at ON import_batches (user_id, created_at);

CREATE INDEX ix_journal_attachments_journal_entry_id ON journal_attachments (journal_entry_id);

CREATE INDEX ix_journal_attachments_user_id ON journal_attachments (user_id);

CREATE INDEX ix_journal_entries_user_id_date ON journal_entries (user_id, date);

CREATE UNIQUE INDEX ux_snaptrade_users_snap_trade_user_id ON snaptrade_users (snap_trade_user_id);

CREATE UNIQUE INDEX ux_snaptrade_users_user_id ON snaptrade_users (user_id);

CREATE INDEX ix_trade_fills_broker_connection_id ON trade_fills (broker_connection_id) WHERE broker_connection_id IS NOT NULL;

CREATE INDEX ix_trade_fills_import_batch_id ON trade_fills (import_batch_id);

CREATE INDEX ix_trade_fills_instrument_id ON trade_fills (instrument_id) WHERE instrument_id IS NOT NULL;

CREATE INDEX ix_trade_fills_replaces_fill_id ON trade_fills (replaces_fill_id) WHERE replaces_fill_id IS NOT NULL;

CREATE INDEX ix_trade_fills_user_id_symbol_executed_at ON trade_fills (user_id, symbol, executed_at);

CREATE UNIQUE INDEX ux_trade_fills_reverses_fill_id ON trade_fills (reverses_fill_id) WHERE reverses_fill_id IS NOT NULL;

CREATE UNIQUE INDEX ux_trade_fills_user_id_external_trade_id ON trade_fills (user_id, external_trade_id);

CREATE INDEX ix_trade_plans_fill_id ON trade_plans (fill_id);

CREATE INDEX ix_trade_plans_strategy_id ON trade_plans (strategy_id);

CREATE INDEX ix_trade_plans_user_id_created_at ON trade_plans (user_id, created_at);

CREATE UNIQUE INDEX ux_user_rules_user_id_rule_code ON user_rules (user_id, rule_code);
