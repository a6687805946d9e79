-- 0004: regime models (issue 3, item 6). One row per fitted Gaussian HMM of an instrument and
-- interval; the latest row per (instrument_id, interval) is the one applied to the regime columns
-- (model_id, state_id, state_prob, log_likelihood) of features. 0003 is reserved for another change.
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.
--
-- The latest model of an instrument and interval:
--   SELECT * FROM regime_models WHERE instrument_id = $1 AND interval = $2
--   ORDER BY created_at DESC, train_to DESC, train_bars DESC LIMIT 1;

CREATE TABLE regime_models (
    model_id character varying(50) NOT NULL,
    instrument_id bigint NOT NULL,
    interval character varying(10) NOT NULL,
    n_states integer NOT NULL,
    feature_version character varying(20) NOT NULL,
    features text[] NOT NULL,
    parameters jsonb NOT NULL,
    state_names text[] NOT NULL,
    ood_threshold double precision NOT NULL,
    train_from timestamp with time zone NOT NULL,
    train_to timestamp with time zone NOT NULL,
    train_bars integer NOT NULL,
    train_log_likelihood double precision NOT NULL,
    iterations integer NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT (now()),
    CONSTRAINT pk_regime_models PRIMARY KEY (model_id),
    CONSTRAINT ck_regime_models_n_states CHECK (n_states >= 2),
    CONSTRAINT ck_regime_models_state_names CHECK (cardinality(state_names) = n_states),
    CONSTRAINT fk_regime_models_instruments_instrument_id FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE
);

CREATE INDEX ix_regime_models_instrument_id_interval_created_at ON regime_models (instrument_id, interval, created_at);
