-- 0013: committed changes to what the recommendations dashboard shows are announced to every app node.
-- The dashboard keeps its query results in memory, shared by all circuits of a node (RecommendationDashboardCache). A
-- statement trigger on each table it reads publishes an event on the app's LISTEN/NOTIFY channel, in the envelope
-- PgEventBus reads; PostgreSQL delivers it only if the writing transaction commits, once per transaction and payload.
-- Triggers rather than calls in the writers, so a writer added later, a job on another node or an admin's SQL cannot
-- leave a node showing stale rows.
CREATE FUNCTION notify_recommendations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('signalbook_events',
        json_build_object('topic', 'recommendations', 'payload', json_build_object('table', TG_TABLE_NAME))::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER recommendations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON recommendations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_recommendations_changed();
CREATE TRIGGER instruments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON instruments
    FOR EACH STATEMENT EXECUTE FUNCTION notify_recommendations_changed();
CREATE TRIGGER ml_models_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ml_models
    FOR EACH STATEMENT EXECUTE FUNCTION notify_recommendations_changed();
