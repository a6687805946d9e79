-- 0013: error logs with a resolution workflow, and traces of interrupted work. The multi-user seed's error_logs (with
-- its indexes, plus the fingerprint that names its group) and error_groups (one row per kind of error: counts, first
-- and last seen, resolution and reopenings). Job runs and file imports may now be 'interrupted' (left running by a node
-- that died, marked by the start-up sweep); an import records the node that ran it and is written as 'running' first.
-- Written from 'dotnet run --project App -- schema-script'. Applied migrations are never edited.

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
CREATE INDEX ix_error_logs_user_occurred_resolved ON error_logs (user_id, occurred_at, resolved);

ALTER TABLE import_batches ADD COLUMN node_name character varying(200);
ALTER TABLE import_batches DROP CONSTRAINT ck_import_batches_status;
ALTER TABLE import_batches ADD CONSTRAINT ck_import_batches_status CHECK (status IN ('running', 'imported', 'undone', 'interrupted'));

ALTER TABLE service_task_execution DROP CONSTRAINT ck_service_task_execution_status;
ALTER TABLE service_task_execution ADD CONSTRAINT ck_service_task_execution_status CHECK (status IN ('running', 'success', 'failed', 'skipped', 'cancelled', 'interrupted'));
