-- 0007: background jobs move to Hangfire. The previous scheduler's tables (qrtz_*, created by 0003) are dropped.
-- Hangfire keeps its own tables in the schema "hangfire", which Hangfire.PostgreSql creates and upgrades itself at
-- start-up (PrepareSchemaIfNecessary); no migration of ours touches that schema. service_task_execution and
-- service_status (0003) stay: the jobs' run history and node heartbeats are ours.

DROP TABLE IF EXISTS qrtz_blob_triggers, qrtz_calendars, qrtz_cron_triggers, qrtz_execution_history, qrtz_fired_triggers,
    qrtz_job_details, qrtz_job_status, qrtz_locks, qrtz_misfire_history, qrtz_paused_job_grps, qrtz_paused_trigger_grps,
    qrtz_scheduler_state, qrtz_simple_triggers, qrtz_simprop_triggers, qrtz_triggers CASCADE;
