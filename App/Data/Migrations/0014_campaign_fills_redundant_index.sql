-- 0014: campaign_fills loses ix_campaign_fills_group_id. The unique index ux_campaign_fills_group_id_fill_id starts with
-- group_id, so it already serves every lookup by group; the second index only cost its upkeep on each row written, and
-- a campaign rebuild writes a row per leg (1.26 million for bench journal's million fills). No data is touched.
DROP INDEX IF EXISTS ix_campaign_fills_group_id;
