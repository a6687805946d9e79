-- 0012: alert_rules keeps a fifth of each page free (fillfactor 80).
-- Every evaluation after a sync updates the rules that fired or were held back by their cooldown (their bar, firing
-- time and count): thousands of rows in one statement. None of those columns is indexed, so PostgreSQL can write each
-- new row version on the same page without touching the table's four indexes (a HOT update), but only if the page has
-- room; full pages sent every update through every index. Pages written before this keep their fill until rows move.
ALTER TABLE alert_rules SET (fillfactor = 80);
