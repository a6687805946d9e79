-- 0013: error logs with a resolution workflow, and traces of interrupted work. The multi-user seed's error_logs (with
-- its indexes, plus the fingerprint that names its group) and error_groups (one row per kind of error: counts, first
-- and last seen, resolution and reopenings). A run in service_task_execution (a job's, or a file import's) may now be
-- 'interrupted': left running by a node that died, marked so by the start-up sweep.
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
CREATE INDEX ix_error_logs_user_id_occurred_at_resolved ON error_logs (user_id, occurred_at, resolved);

ALTER TABLE service_task_execution DROP CONSTRAINT ck_service_task_execution_status;
ALTER TABLE service_task_execution ADD CONSTRAINT ck_service_task_execution_status CHECK (status IN ('running', 'success', 'failed', 'skipped', 'cancelled', 'interrupted'));
