-- When an indicator added by rule had every village counted (issue 16). NULL while the first
-- count runs: the catalogue then shows how many villages are counted, and a server that stopped
-- before the end counts the rest when it starts again.
ALTER TABLE indicators ADD COLUMN counted_at BIGINT;
