-- 0011: operations and notifications. The multi-user seed's notifications (in-app history with per-channel delivery
-- flags) and user_notification_preferences (channels, types, quiet hours), with their indexes; beyond the seed, each
-- outbound channel's status, attempts and last error, the quiet-hours hold, the email_outbox row that carries a
-- notification by email, the one-time Telegram link code, why Telegram was turned off for a user, and the Telegram
-- bot's getUpdates offset (telegram_bot_state).
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
