-- 0012: alert rules (what a user watches: price crossings, daily moves, indicator crossings, regime and recommendation
-- changes, order fills, stops hit, drawdown limits) and the alerts they fire (trading-ai seed's alerts, with the rule and
-- bar that fired each; unique per (rule, bar), so a bar never fires a rule twice). Generated from the EF model.

CREATE TABLE alert_rules (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(30) NOT NULL,
    instrument_id bigint,
    portfolio_id bigint,
    indicator character varying(30),
    direction character varying(10),
    threshold double precision,
    profile character varying(20),
    severity character varying(10) NOT NULL DEFAULT 'info',
    cooldown_minutes integer NOT NULL,
    expires_at timestamp with time zone,
    recurring boolean NOT NULL DEFAULT TRUE,
    is_active boolean NOT NULL DEFAULT TRUE,
    last_fired_at timestamp with time zone,
    last_evaluated_bar timestamp with time zone,
    fire_count integer NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_alert_rules PRIMARY KEY (id),
    CONSTRAINT ck_alert_rules_cooldown CHECK (cooldown_minutes >= 0),
    CONSTRAINT ck_alert_rules_kind CHECK (kind IN ('price_cross_above', 'price_cross_below', 'pct_move_day', 'indicator_cross', 'regime_change', 'recommendation_change', 'order_filled', 'stop_hit', 'drawdown_limit')),
    CONSTRAINT ck_alert_rules_severity CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    CONSTRAINT ck_alert_rules_target CHECK ((instrument_id IS NOT NULL) <> (portfolio_id IS NOT NULL)),
    CONSTRAINT fk_alert_rules_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_rules_portfolios_portfolio_id FOREIGN KEY (portfolio_id) REFERENCES portfolios (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_rules_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE alerts (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    rule_id bigint,
    bar_ts timestamp with time zone,
    title character varying(200) NOT NULL,
    message text NOT NULL,
    severity character varying(10) NOT NULL DEFAULT 'info',
    category character varying(50),
    symbol character varying(20),
    order_id bigint,
    strategy_id bigint,
    is_read boolean NOT NULL DEFAULT FALSE,
    is_sent boolean NOT NULL DEFAULT FALSE,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_alerts PRIMARY KEY (id),
    CONSTRAINT ck_alerts_category CHECK (category IS NULL OR category IN ('price', 'trade', 'system', 'ml')),
    CONSTRAINT ck_alerts_severity CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    CONSTRAINT fk_alerts_alert_rules_rule_id FOREIGN KEY (rule_id) REFERENCES alert_rules (id) ON DELETE SET NULL,
    CONSTRAINT fk_alerts_orders_order_id FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL,
    CONSTRAINT fk_alerts_strategies_strategy_id FOREIGN KEY (strategy_id) REFERENCES strategies (id) ON DELETE SET NULL,
    CONSTRAINT fk_alerts_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_alert_rules_instrument_id ON alert_rules (instrument_id);

CREATE INDEX ix_alert_rules_kind ON alert_rules (kind) WHERE is_active;

CREATE INDEX ix_alert_rules_portfolio_id ON alert_rules (portfolio_id);

CREATE INDEX ix_alert_rules_user_id_created_at ON alert_rules (user_id, created_at);

CREATE INDEX ix_alerts_order_id ON alerts (order_id);

CREATE INDEX ix_alerts_severity ON alerts (severity);

CREATE INDEX ix_alerts_strategy_id ON alerts (strategy_id);

CREATE INDEX ix_alerts_user_id_created_at ON alerts (user_id, created_at);

CREATE UNIQUE INDEX ux_alerts_rule_id_bar_ts ON alerts (rule_id, bar_ts);
