-- 0006: models and recommendations. Training runs and versioned models (multi-user seed's ml_training_jobs and
-- ml_models, with params_hash, metrics and the artifact; at most one active model per type, enforced by a partial
-- unique index), recommendations (Boursomatic seed, with its indexes; one active per instrument and profile) and
-- predictions with back-filled outcomes (trading-ai seed's ml_predictions).
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

CREATE TABLE ml_training_jobs (
    id bigint GENERATED ALWAYS AS IDENTITY,
    started_by uuid,
    status character varying(16) NOT NULL,
    model_type character varying(64) NOT NULL,
    algorithm character varying(32) NOT NULL,
    hyperparameters jsonb NOT NULL DEFAULT ('{}'::jsonb),
    data_from timestamp with time zone,
    data_to timestamp with time zone,
    feature_version character varying(16) NOT NULL,
    training_data_path character varying(512),
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    model_path character varying(512),
    accuracy double precision,
    progress double precision NOT NULL,
    error_message character varying(1024),
    logs text,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_ml_training_jobs PRIMARY KEY (id),
    CONSTRAINT ck_ml_training_jobs_model_type CHECK (model_type IN ('verdict_classifier', 'price_regressor')),
    CONSTRAINT ck_ml_training_jobs_progress CHECK (progress >= 0 AND progress <= 1),
    CONSTRAINT ck_ml_training_jobs_status CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT fk_ml_training_jobs_users_started_by FOREIGN KEY (started_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE ml_models (
    id bigint GENERATED ALWAYS AS IDENTITY,
    model_type character varying(64) NOT NULL,
    version character varying(16) NOT NULL,
    algorithm character varying(32) NOT NULL,
    params_hash character varying(64) NOT NULL,
    feature_version character varying(16) NOT NULL,
    metrics jsonb NOT NULL DEFAULT ('{}'::jsonb),
    artifact bytea,
    model_path character varying(512),
    accuracy double precision,
    training_job_id bigint,
    is_active boolean NOT NULL DEFAULT FALSE,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    created_by uuid,
    CONSTRAINT pk_ml_models PRIMARY KEY (id),
    CONSTRAINT ck_ml_models_model_type CHECK (model_type IN ('verdict_classifier', 'price_regressor')),
    CONSTRAINT fk_ml_models_ml_training_jobs_training_job_id FOREIGN KEY (training_job_id) REFERENCES ml_training_jobs (id) ON DELETE SET NULL,
    CONSTRAINT fk_ml_models_users_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE recommendations (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instrument_id bigint NOT NULL,
    model_version_id bigint NOT NULL,
    profile character varying(50) NOT NULL,
    label character varying(10) NOT NULL,
    confidence double precision NOT NULL,
    expected_return_pct double precision,
    horizon_days integer,
    stop_loss double precision,
    take_profit double precision,
    justification text,
    features_snapshot jsonb NOT NULL,
    generated_at timestamp with time zone NOT NULL DEFAULT (now()),
    is_active boolean NOT NULL DEFAULT TRUE,
    CONSTRAINT pk_recommendations PRIMARY KEY (id),
    CONSTRAINT ck_recommendations_confidence CHECK (confidence >= 0 AND confidence <= 1),
    CONSTRAINT ck_recommendations_label CHECK (label IN ('BUY', 'HOLD', 'SELL')),
    CONSTRAINT ck_recommendations_profile CHECK (profile IN ('conservative', 'moderate', 'aggressive')),
    CONSTRAINT fk_recommendations_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE,
    CONSTRAINT fk_recommendations_ml_models_model_version_id FOREIGN KEY (model_version_id) REFERENCES ml_models (id) ON DELETE RESTRICT
);

CREATE TABLE ml_predictions (
    id bigint GENERATED ALWAYS AS IDENTITY,
    model_name character varying(100) NOT NULL,
    model_version character varying(50),
    symbol character varying(20) NOT NULL,
    instrument_id bigint,
    recommendation_id bigint,
    predicted_price double precision,
    predicted_direction character varying(10),
    confidence double precision,
    feature_importance jsonb,
    predicted_at timestamp with time zone NOT NULL DEFAULT (now()),
    prediction_horizon integer,
    actual_price double precision,
    prediction_error double precision,
    was_correct boolean,
    evaluated_at timestamp with time zone,
    CONSTRAINT pk_ml_predictions PRIMARY KEY (id),
    CONSTRAINT ck_ml_predictions_direction CHECK (predicted_direction IS NULL OR predicted_direction IN ('up', 'down', 'neutral')),
    CONSTRAINT fk_ml_predictions_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE,
    CONSTRAINT fk_ml_predictions_recommendations_recommendation_id FOREIGN KEY (recommendation_id) REFERENCES recommendations (id) ON DELETE SET NULL
);

CREATE INDEX ix_ml_training_jobs_started_by ON ml_training_jobs (started_by);
CREATE INDEX ix_ml_training_jobs_status ON ml_training_jobs (status);

CREATE INDEX ix_ml_models_created_by ON ml_models (created_by);
CREATE INDEX ix_ml_models_is_active ON ml_models (is_active);
CREATE INDEX ix_ml_models_model_type ON ml_models (model_type);
CREATE INDEX ix_ml_models_training_job_id ON ml_models (training_job_id);
CREATE INDEX ix_ml_models_version ON ml_models (version);
CREATE UNIQUE INDEX ux_ml_models_model_type ON ml_models (model_type) WHERE is_active;
CREATE UNIQUE INDEX ux_ml_models_model_type_version ON ml_models (model_type, version);

CREATE INDEX ix_recommendations_generated_at ON recommendations (generated_at);
CREATE INDEX ix_recommendations_instrument_id ON recommendations (instrument_id);
CREATE INDEX ix_recommendations_instrument_id_profile_generated_at ON recommendations (instrument_id, profile, generated_at);
CREATE INDEX ix_recommendations_is_active ON recommendations (is_active);
CREATE INDEX ix_recommendations_is_active_generated_at ON recommendations (is_active, generated_at);
CREATE INDEX ix_recommendations_label ON recommendations (label);
CREATE INDEX ix_recommendations_model_version_id ON recommendations (model_version_id);
CREATE INDEX ix_recommendations_profile ON recommendations (profile);
CREATE UNIQUE INDEX ux_recommendations_instrument_id_profile ON recommendations (instrument_id, profile) WHERE is_active;

CREATE INDEX ix_ml_predictions_instrument_id ON ml_predictions (instrument_id);
CREATE INDEX ix_ml_predictions_model_name ON ml_predictions (model_name);
CREATE INDEX ix_ml_predictions_recommendation_id ON ml_predictions (recommendation_id);
CREATE INDEX ix_ml_predictions_symbol_predicted_at ON ml_predictions (symbol, predicted_at);
