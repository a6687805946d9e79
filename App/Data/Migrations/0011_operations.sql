-- 0011: operations and notifications.
-- * Notifications: the multi-user seed's notifications (in-app history with per-channel delivery flags) and
--   user_notification_preferences (channels, types, quiet hours), with their indexes; beyond the seed, each outbound
--   channel's status, attempts and last error, the quiet-hours hold, the email_outbox row that carries a notification by
--   email, the one-time Telegram link code, why Telegram was turned off for a user, and the Telegram bot's getUpdates
--   offset (telegram_bot_state).
-- * Alerts: alert_rules (what a user watches: price crossings, daily moves, indicator crossings, regime and
--   recommendation changes, order fills, stops hit, drawdown limits) and the trading-ai seed's alerts, with the rule and
--   bar that fired each, unique per (rule, bar) so a bar never fires a rule twice.
-- * Errors: the multi-user seed's error_logs (its indexes, plus the fingerprint naming its group) and error_groups (one
--   row per kind of error: counts, first and last seen, resolution and reopenings). A run in service_task_execution (a
--   job's, or a file import's) may now be 'interrupted': left running by a node that died, marked so at start-up.
-- * Configuration and statistics: the feature-extractor seed's config_entries (an admin-edited layer above appsettings
--   and environment variables) with who last set an entry, and statistics (series sampled for Admin → System) with an
--   index on (key, timestamp).
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

CREATE TABLE notifications (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    type character varying(32) NOT NULL,
    level character varying(16) NOT NULL,
    title character varying(255) NOT NULL,
    message character varying(1024) NOT NULL,
    link character varying(512),
    symbol character varying(32),
    read boolean NOT NULL DEFAULT FALSE,
    read_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    telegram_sent boolean NOT NULL DEFAULT FALSE,
    email_sent boolean NOT NULL DEFAULT FALSE,
    in_app_delivered boolean NOT NULL DEFAULT TRUE,
    email_status character varying(16) NOT NULL DEFAULT 'not_requested',
    telegram_status character varying(16) NOT NULL DEFAULT 'not_requested',
    delivery_attempts integer NOT NULL DEFAULT 0,
    delivery_error character varying(1024),
    held_until timestamp with time zone,
    email_message_id bigint,
    CONSTRAINT pk_notifications PRIMARY KEY (id),
    CONSTRAINT ck_notifications_email_status CHECK (email_status IN ('not_requested', 'pending', 'held', 'sent', 'failed')),
    CONSTRAINT ck_notifications_level CHECK (level IN ('info', 'warning', 'error', 'critical')),
    CONSTRAINT ck_notifications_telegram_status CHECK (telegram_status IN ('not_requested', 'pending', 'held', 'sent', 'failed')),
    CONSTRAINT ck_notifications_type CHECK (type IN ('service', 'trading', 'system', 'error')),
    CONSTRAINT fk_notifications_email_outbox_email_message_id FOREIGN KEY (email_message_id) REFERENCES email_outbox (id) ON DELETE SET NULL,
    CONSTRAINT fk_notifications_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE user_notification_preferences (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    telegram_enabled boolean NOT NULL DEFAULT FALSE,
    telegram_chat_id character varying(64),
    email_enabled boolean NOT NULL DEFAULT FALSE,
    email_address character varying(255),
    in_app_enabled boolean NOT NULL DEFAULT TRUE,
    notify_service_events boolean NOT NULL DEFAULT TRUE,
    notify_trading_events boolean NOT NULL DEFAULT TRUE,
    notify_system_events boolean NOT NULL DEFAULT TRUE,
    notify_errors boolean NOT NULL DEFAULT TRUE,
    quiet_hours_start time without time zone,
    quiet_hours_end time without time zone,
    telegram_link_code character varying(32),
    telegram_link_code_expires_at timestamp with time zone,
    telegram_disabled_reason character varying(512),
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_user_notification_preferences PRIMARY KEY (id),
    CONSTRAINT fk_user_notification_preferences_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE telegram_bot_state (
    bot_id bigint NOT NULL,
    update_offset bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_telegram_bot_state PRIMARY KEY (bot_id)
);

CREATE INDEX ix_notifications_created_at ON notifications (created_at);
CREATE INDEX ix_notifications_email_message_id ON notifications (email_message_id);
CREATE INDEX ix_notifications_held_until ON notifications (held_until) WHERE (held_until IS NOT NULL);
CREATE INDEX ix_notifications_level ON notifications (level);
CREATE INDEX ix_notifications_read ON notifications (read);
CREATE INDEX ix_notifications_type ON notifications (type);
CREATE INDEX ix_notifications_user_id ON notifications (user_id);
CREATE INDEX ix_notifications_user_id_read_created_at ON notifications (user_id, read, created_at);
CREATE UNIQUE INDEX ux_user_notification_preferences_telegram_link_code ON user_notification_preferences (telegram_link_code) WHERE (telegram_link_code IS NOT NULL);
CREATE UNIQUE INDEX ux_user_notification_preferences_user_id ON user_notification_preferences (user_id);

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

CREATE TABLE error_groups (
    id bigint GENERATED ALWAYS AS IDENTITY,
    fingerprint character varying(64) NOT NULL,
    error_type character varying(128) NOT NULL,
    message_sample character varying(1024) NOT NULL,
    first_seen timestamp with time zone NOT NULL,
    last_seen timestamp with time zone NOT NULL,
    occurrences integer NOT NULL,
    resolved boolean NOT NULL DEFAULT FALSE,
    resolved_at timestamp with time zone,
    resolved_by uuid,
    resolution_notes character varying(512),
    reopened_count integer NOT NULL,
    last_reopened_at timestamp with time zone,
    CONSTRAINT pk_error_groups PRIMARY KEY (id),
    CONSTRAINT ck_error_groups_counts CHECK (occurrences >= 0 AND reopened_count >= 0),
    CONSTRAINT fk_error_groups_users_resolved_by FOREIGN KEY (resolved_by) REFERENCES users (id) ON DELETE SET NULL
);


CREATE TABLE error_logs (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid,
    error_type character varying(128) NOT NULL,
    error_message character varying(1024) NOT NULL,
    traceback character varying(8192),
    context jsonb,
    resolved boolean NOT NULL DEFAULT FALSE,
    resolved_at timestamp with time zone,
    resolved_by uuid,
    resolution_notes character varying(512),
    occurred_at timestamp with time zone NOT NULL DEFAULT (now()),
    fingerprint character varying(64) NOT NULL,
    CONSTRAINT pk_error_logs PRIMARY KEY (id),
    CONSTRAINT fk_error_logs_users_resolved_by FOREIGN KEY (resolved_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_error_logs_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_error_groups_resolved_by ON error_groups (resolved_by);
CREATE INDEX ix_error_groups_resolved_last_seen ON error_groups (resolved, last_seen);
CREATE UNIQUE INDEX ux_error_groups_fingerprint ON error_groups (fingerprint);
CREATE INDEX ix_error_logs_fingerprint_occurred_at ON error_logs (fingerprint, occurred_at);
CREATE INDEX ix_error_logs_occurred_at ON error_logs (occurred_at);
CREATE INDEX ix_error_logs_resolved ON error_logs (resolved);
CREATE INDEX ix_error_logs_resolved_by ON error_logs (resolved_by);
CREATE INDEX ix_error_logs_user_id ON error_logs (user_id);
CREATE INDEX ix_error_logs_user_id_occurred_at_resolved ON error_logs (user_id, occurred_at, resolved);

ALTER TABLE service_task_execution DROP CONSTRAINT ck_service_task_execution_status;
ALTER TABLE service_task_execution ADD CONSTRAINT ck_service_task_execution_status CHECK (status IN ('running', 'success', 'failed', 'skipped', 'cancelled', 'interrupted'));

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
