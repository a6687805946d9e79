-- 0009: portfolios and paper trading. The trading-ai seed's portfolios, positions, orders, trades and strategies (with
-- its enumerations as checked snake_case names and its indexes), the feature-extractor seed's portfolio/asset plugins
-- with jsonb configs and analytics, the multi-user seed's user_trading_config (every column and default) and
-- service_logs, plus our own cash flows (deposits/withdrawals, left out of time-weighted return), instrument splits
-- and encrypted broker credentials. Money is numeric(20,6), quantities numeric(24,8).
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

CREATE TABLE instrument_splits (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instrument_id bigint NOT NULL,
    ex_date date NOT NULL,
    ratio numeric(18,8) NOT NULL,
    source character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_instrument_splits PRIMARY KEY (id),
    CONSTRAINT ck_instrument_splits_ratio CHECK (ratio > 0 AND ratio <> 1),
    CONSTRAINT ck_instrument_splits_source CHECK (source IN ('detected', 'manual')),
    CONSTRAINT fk_instrument_splits_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE
);

CREATE TABLE broker_credentials (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    plugin character varying(32) NOT NULL,
    environment character varying(8) NOT NULL,
    label character varying(100) NOT NULL,
    key_hint character varying(8) NOT NULL,
    protected_secret text NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT pk_broker_credentials PRIMARY KEY (id),
    CONSTRAINT ck_broker_credentials_environment CHECK (environment IN ('paper', 'live')),
    CONSTRAINT ck_broker_credentials_plugin CHECK (plugin IN ('alpaca')),
    CONSTRAINT fk_broker_credentials_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE service_logs (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid,
    level character varying(16) NOT NULL,
    module character varying(128) NOT NULL,
    message character varying(1024) NOT NULL,
    context jsonb,
    timestamp timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_service_logs PRIMARY KEY (id),
    CONSTRAINT ck_service_logs_level CHECK (level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    CONSTRAINT fk_service_logs_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE user_trading_config (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    rsi_period integer NOT NULL DEFAULT 10,
    rsi_oversold double precision NOT NULL DEFAULT 30.0,
    rsi_extreme_oversold double precision NOT NULL DEFAULT 20.0,
    rsi_near_oversold double precision NOT NULL DEFAULT 40.0,
    user_capital numeric(20,6) NOT NULL DEFAULT 200000.0,
    max_portfolio_size integer NOT NULL DEFAULT 6,
    max_position_volume_ratio double precision NOT NULL DEFAULT 0.10000000000000001,
    min_absolute_avg_volume integer NOT NULL DEFAULT 10000,
    chart_quality_enabled boolean NOT NULL DEFAULT TRUE,
    chart_quality_min_score double precision NOT NULL DEFAULT 50.0,
    chart_quality_max_gap_frequency double precision NOT NULL DEFAULT 25.0,
    chart_quality_min_daily_range_pct double precision NOT NULL DEFAULT 1.0,
    chart_quality_max_extreme_candle_frequency double precision NOT NULL DEFAULT 20.0,
    default_stop_loss_pct double precision,
    tight_stop_loss_pct double precision,
    min_stop_loss_pct double precision,
    default_target_pct double precision NOT NULL DEFAULT 0.10000000000000001,
    strong_buy_target_pct double precision NOT NULL DEFAULT 0.12,
    excellent_target_pct double precision NOT NULL DEFAULT 0.14999999999999999,
    strong_buy_risk_reward double precision NOT NULL DEFAULT 3.0,
    buy_risk_reward double precision NOT NULL DEFAULT 2.5,
    excellent_risk_reward double precision NOT NULL DEFAULT 3.5,
    default_exchange character varying(8) NOT NULL DEFAULT 'NSE',
    default_product character varying(8) NOT NULL DEFAULT 'CNC',
    default_order_type character varying(16) NOT NULL DEFAULT 'MARKET',
    default_variety character varying(8) NOT NULL DEFAULT 'AMO',
    default_validity character varying(8) NOT NULL DEFAULT 'DAY',
    allow_duplicate_recommendations_same_day boolean NOT NULL DEFAULT FALSE,
    exit_on_ema9_or_rsi50 boolean NOT NULL DEFAULT TRUE,
    min_combined_score integer NOT NULL DEFAULT 25,
    news_sentiment_enabled boolean NOT NULL DEFAULT TRUE,
    news_sentiment_lookback_days integer NOT NULL DEFAULT 30,
    news_sentiment_min_articles integer NOT NULL DEFAULT 2,
    news_sentiment_pos_threshold double precision NOT NULL DEFAULT 0.25,
    news_sentiment_neg_threshold double precision NOT NULL DEFAULT -0.25,
    ml_enabled boolean NOT NULL DEFAULT FALSE,
    ml_model_version character varying(16),
    ml_confidence_threshold double precision NOT NULL DEFAULT 0.5,
    ml_combine_with_rules boolean NOT NULL DEFAULT TRUE,
    task_schedule jsonb,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_user_trading_config PRIMARY KEY (id),
    CONSTRAINT ck_user_trading_config_capital CHECK (user_capital > 0 AND max_portfolio_size > 0 AND max_position_volume_ratio > 0 AND max_position_volume_ratio <= 1 AND min_absolute_avg_volume >= 0),
    CONSTRAINT ck_user_trading_config_ml_confidence CHECK (ml_confidence_threshold >= 0 AND ml_confidence_threshold <= 1),
    CONSTRAINT ck_user_trading_config_rsi CHECK (rsi_period BETWEEN 2 AND 100 AND rsi_extreme_oversold <= rsi_oversold AND rsi_oversold <= rsi_near_oversold),
    CONSTRAINT ck_user_trading_config_validity CHECK (default_validity IN ('DAY', 'GTC', 'IOC')),
    CONSTRAINT fk_user_trading_config_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE portfolios (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    description character varying(1000),
    is_paper boolean NOT NULL DEFAULT TRUE,
    base_currency character varying(3) NOT NULL DEFAULT 'USD',
    starting_cash numeric(20,6) NOT NULL,
    cash_balance numeric(20,6) NOT NULL DEFAULT 0.0,
    total_value numeric(20,6) NOT NULL DEFAULT 0.0,
    total_pnl numeric(20,6) NOT NULL DEFAULT 0.0,
    total_pnl_percent double precision NOT NULL DEFAULT 0.0,
    daily_pnl numeric(20,6) NOT NULL DEFAULT 0.0,
    sharpe_ratio double precision,
    max_drawdown double precision,
    win_rate double precision,
    portfolio_plugin character varying(64) NOT NULL DEFAULT 'default',
    portfolio_plugin_config jsonb NOT NULL DEFAULT ('{}'::jsonb),
    strategy_plugin character varying(64),
    strategy_plugin_config jsonb NOT NULL DEFAULT ('{}'::jsonb),
    broker_plugin character varying(32) NOT NULL DEFAULT 'paper',
    live_trading_enabled boolean NOT NULL,
    broker_credential_id bigint,
    allow_shorting boolean NOT NULL,
    commission_per_share numeric(20,6) NOT NULL,
    commission_percent numeric(10,6) NOT NULL,
    commission_per_order numeric(20,6) NOT NULL,
    commission_minimum numeric(20,6) NOT NULL,
    slippage_bps numeric(10,4) NOT NULL,
    max_volume_share numeric(7,6) NOT NULL DEFAULT 0.1,
    benchmark_instrument_id bigint,
    is_active boolean NOT NULL DEFAULT TRUE,
    processed_through timestamp with time zone,
    valued_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_portfolios PRIMARY KEY (id),
    CONSTRAINT ck_portfolios_base_currency CHECK (base_currency ~ '^[A-Z]{3}$'),
    CONSTRAINT ck_portfolios_broker_plugin CHECK (broker_plugin IN ('paper', 'alpaca')),
    CONSTRAINT ck_portfolios_costs CHECK (commission_per_share >= 0 AND commission_percent >= 0 AND commission_per_order >= 0 AND commission_minimum >= 0 AND slippage_bps >= 0),
    CONSTRAINT ck_portfolios_max_volume_share CHECK (max_volume_share >= 0 AND max_volume_share <= 1),
    CONSTRAINT ck_portfolios_starting_cash CHECK (starting_cash >= 0),
    CONSTRAINT fk_portfolios_broker_credentials_broker_credential_id FOREIGN KEY (broker_credential_id) REFERENCES broker_credentials (id) ON DELETE SET NULL,
    CONSTRAINT fk_portfolios_instruments_benchmark_instrument_id FOREIGN KEY (benchmark_instrument_id) REFERENCES instruments (id) ON DELETE SET NULL,
    CONSTRAINT fk_portfolios_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE analytics (
    id bigint GENERATED ALWAYS AS IDENTITY,
    portfolio_id bigint NOT NULL,
    metric character varying(64) NOT NULL,
    value double precision,
    plot_data jsonb,
    timestamp timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_analytics PRIMARY KEY (id),
    CONSTRAINT fk_analytics_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE
);

CREATE TABLE portfolio_assets (
    id bigint GENERATED ALWAYS AS IDENTITY,
    portfolio_id bigint NOT NULL,
    instrument_id bigint NOT NULL,
    parameters jsonb NOT NULL DEFAULT ('{}'::jsonb),
    broker_plugin character varying(32) NOT NULL DEFAULT 'paper',
    broker_plugin_config jsonb NOT NULL DEFAULT ('{}'::jsonb),
    strategy_plugin character varying(64),
    strategy_plugin_config jsonb NOT NULL DEFAULT ('{}'::jsonb),
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_portfolio_assets PRIMARY KEY (id),
    CONSTRAINT ck_portfolio_assets_broker_plugin CHECK (broker_plugin IN ('paper', 'alpaca')),
    CONSTRAINT fk_portfolio_assets_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE RESTRICT,
    CONSTRAINT fk_portfolio_assets_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE
);

CREATE TABLE portfolio_cash_flows (
    id bigint GENERATED ALWAYS AS IDENTITY,
    portfolio_id bigint NOT NULL,
    amount numeric(20,6) NOT NULL,
    note character varying(200),
    occurred_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_portfolio_cash_flows PRIMARY KEY (id),
    CONSTRAINT ck_portfolio_cash_flows_amount CHECK (amount <> 0),
    CONSTRAINT fk_portfolio_cash_flows_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE
);

CREATE TABLE positions (
    id bigint GENERATED ALWAYS AS IDENTITY,
    portfolio_id bigint NOT NULL,
    instrument_id bigint NOT NULL,
    quantity numeric(24,8) NOT NULL,
    entry_price numeric(20,6) NOT NULL,
    current_price numeric(20,6),
    market_value numeric(20,6) NOT NULL,
    unrealized_pnl numeric(20,6) NOT NULL DEFAULT 0.0,
    unrealized_pnl_percent double precision NOT NULL DEFAULT 0.0,
    realized_pnl numeric(20,6) NOT NULL DEFAULT 0.0,
    opened_at timestamp with time zone NOT NULL DEFAULT (now()),
    priced_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_positions PRIMARY KEY (id),
    CONSTRAINT ck_positions_quantity CHECK (quantity <> 0),
    CONSTRAINT fk_positions_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE RESTRICT,
    CONSTRAINT fk_positions_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE
);

CREATE TABLE strategies (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    portfolio_id bigint,
    name character varying(100) NOT NULL,
    strategy_type character varying(32) NOT NULL,
    description character varying(2000),
    config jsonb NOT NULL,
    is_active boolean NOT NULL DEFAULT TRUE,
    is_backtest boolean NOT NULL DEFAULT FALSE,
    total_pnl numeric(20,6) NOT NULL DEFAULT 0.0,
    win_rate double precision,
    sharpe_ratio double precision,
    num_trades integer NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    last_signal_at timestamp with time zone,
    CONSTRAINT pk_strategies PRIMARY KEY (id),
    CONSTRAINT ck_strategies_strategy_type CHECK (strategy_type IN ('grid_trading', 'dca', 'momentum', 'mean_reversion', 'follow_model', 'chart_quality', 'statistical_arbitrage', 'market_making', 'whale_following', 'liquidation_hunting', 'yield_optimization')),
    CONSTRAINT fk_strategies_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE SET NULL,
    CONSTRAINT fk_strategies_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    portfolio_id bigint NOT NULL,
    instrument_id bigint NOT NULL,
    client_order_id character varying(100) NOT NULL,
    broker_order_id character varying(100),
    side character varying(8) NOT NULL,
    order_type character varying(16) NOT NULL,
    time_in_force character varying(8) NOT NULL,
    status character varying(20) NOT NULL DEFAULT 'pending',
    quantity numeric(24,8) NOT NULL,
    filled_quantity numeric(24,8) NOT NULL DEFAULT 0.0,
    price numeric(20,6),
    stop_price numeric(20,6),
    average_fill_price numeric(20,6),
    fee numeric(20,6) NOT NULL DEFAULT 0.0,
    fee_currency character varying(10),
    strategy_id bigint,
    recommendation_id bigint,
    parent_order_id bigint,
    oco_group uuid,
    stop_triggered boolean NOT NULL,
    window_start timestamp with time zone,
    window_end timestamp with time zone,
    placed_at timestamp with time zone NOT NULL,
    reject_reason character varying(512),
    note character varying(512),
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    filled_at timestamp with time zone,
    cancelled_at timestamp with time zone,
    CONSTRAINT pk_orders PRIMARY KEY (id),
    CONSTRAINT ck_orders_limit_price CHECK (order_type NOT IN ('limit', 'stop_limit') OR price IS NOT NULL),
    CONSTRAINT ck_orders_order_type CHECK (order_type IN ('market', 'limit', 'stop_loss', 'stop_limit', 'twap', 'vwap')),
    CONSTRAINT ck_orders_prices CHECK ((price IS NULL OR price > 0) AND (stop_price IS NULL OR stop_price > 0)),
    CONSTRAINT ck_orders_quantity CHECK (quantity > 0 AND filled_quantity >= 0 AND filled_quantity <= quantity),
    CONSTRAINT ck_orders_side CHECK (side IN ('buy', 'sell')),
    CONSTRAINT ck_orders_status CHECK (status IN ('pending', 'open', 'partially_filled', 'filled', 'cancelled', 'rejected')),
    CONSTRAINT ck_orders_stop_price CHECK (order_type NOT IN ('stop_loss', 'stop_limit') OR stop_price IS NOT NULL),
    CONSTRAINT ck_orders_time_in_force CHECK (time_in_force IN ('day', 'gtc')),
    CONSTRAINT fk_orders_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE RESTRICT,
    CONSTRAINT fk_orders_orders_parent_order_id FOREIGN KEY (parent_order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT fk_orders_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE,
    CONSTRAINT fk_orders_recommendations_recommendation_id FOREIGN KEY (recommendation_id) REFERENCES recommendations (id) ON DELETE SET NULL,
    CONSTRAINT fk_orders_strategies_strategy_id FOREIGN KEY (strategy_id) REFERENCES strategies (id) ON DELETE SET NULL,
    CONSTRAINT fk_orders_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE trades (
    id bigint GENERATED ALWAYS AS IDENTITY,
    portfolio_id bigint NOT NULL,
    order_id bigint,
    instrument_id bigint NOT NULL,
    broker_trade_id character varying(100) NOT NULL,
    side character varying(8) NOT NULL,
    quantity numeric(24,8) NOT NULL,
    price numeric(20,6) NOT NULL,
    value numeric(20,6) NOT NULL,
    commission numeric(20,6) NOT NULL DEFAULT 0.0,
    fee numeric(20,6) NOT NULL DEFAULT 0.0,
    fee_currency character varying(10),
    pnl numeric(20,6),
    pnl_percent double precision,
    rule character varying(100),
    executed_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_trades PRIMARY KEY (id),
    CONSTRAINT ck_trades_quantity CHECK (quantity > 0 AND price > 0 AND commission >= 0 AND fee >= 0),
    CONSTRAINT ck_trades_side CHECK (side IN ('buy', 'sell')),
    CONSTRAINT fk_trades_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE RESTRICT,
    CONSTRAINT fk_trades_orders_order_id FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL,
    CONSTRAINT fk_trades_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX ux_analytics_portfolio_id_metric_timestamp ON analytics (portfolio_id, metric, timestamp);

CREATE INDEX ix_broker_credentials_user_id ON broker_credentials (user_id);

CREATE UNIQUE INDEX ux_instrument_splits_instrument_id_ex_date ON instrument_splits (instrument_id, ex_date);

CREATE INDEX ix_orders_created_at ON orders (created_at);

CREATE INDEX ix_orders_instrument_id ON orders (instrument_id);

CREATE INDEX ix_orders_parent_order_id ON orders (parent_order_id);

CREATE INDEX ix_orders_portfolio_id_status ON orders (portfolio_id, status);

CREATE INDEX ix_orders_recommendation_id ON orders (recommendation_id);

CREATE INDEX ix_orders_status ON orders (status);

CREATE INDEX ix_orders_strategy_id ON orders (strategy_id);

CREATE INDEX ix_orders_user_id ON orders (user_id);

CREATE UNIQUE INDEX ux_orders_broker_order_id ON orders (broker_order_id);

CREATE UNIQUE INDEX ux_orders_client_order_id ON orders (client_order_id);

CREATE INDEX ix_portfolio_assets_instrument_id ON portfolio_assets (instrument_id);

CREATE UNIQUE INDEX ux_portfolio_assets_portfolio_id_instrument_id ON portfolio_assets (portfolio_id, instrument_id);

CREATE INDEX ix_portfolio_cash_flows_portfolio_id_occurred_at ON portfolio_cash_flows (portfolio_id, occurred_at);

CREATE INDEX ix_portfolios_benchmark_instrument_id ON portfolios (benchmark_instrument_id);

CREATE INDEX ix_portfolios_broker_credential_id ON portfolios (broker_credential_id);

CREATE INDEX ix_portfolios_user_id ON portfolios (user_id);

CREATE UNIQUE INDEX ux_portfolios_user_id_name ON portfolios (user_id, name);

CREATE INDEX ix_positions_instrument_id ON positions (instrument_id);

CREATE INDEX ix_positions_portfolio_id ON positions (portfolio_id);

CREATE UNIQUE INDEX ux_positions_portfolio_id_instrument_id ON positions (portfolio_id, instrument_id);

CREATE INDEX ix_service_logs_level ON service_logs (level);

CREATE INDEX ix_service_logs_timestamp ON service_logs (timestamp);

CREATE INDEX ix_service_logs_user_id ON service_logs (user_id);

CREATE INDEX ix_service_logs_user_id_timestamp_level ON service_logs (user_id, timestamp, level);

CREATE INDEX ix_strategies_portfolio_id ON strategies (portfolio_id);

CREATE INDEX ix_strategies_strategy_type ON strategies (strategy_type);

CREATE INDEX ix_strategies_user_id ON strategies (user_id);

CREATE UNIQUE INDEX ux_strategies_user_id_name ON strategies (user_id, name);

CREATE INDEX ix_trades_executed_at ON trades (executed_at);

CREATE INDEX ix_trades_instrument_id ON trades (instrument_id);

CREATE INDEX ix_trades_order_id ON trades (order_id);

CREATE INDEX ix_trades_portfolio_id ON trades (portfolio_id);

CREATE UNIQUE INDEX ux_trades_broker_trade_id ON trades (broker_trade_id);

CREATE UNIQUE INDEX ux_user_trading_config_user_id ON user_trading_config (user_id);
