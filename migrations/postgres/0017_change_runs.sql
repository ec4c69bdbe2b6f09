-- Attribution kept compact (issue 18): one row per run of an actor's consecutive changes that
-- one batch stored, instead of one row per change (those rows and their index were over half of
-- the database). A change is found by its actor and sequence number, which Automerge gives for
-- any change hash. `observed_steps` dates each change of the run after the first: the increase
-- of its observation time over the previous change's (comma-separated, '' for a single change;
-- the server writes a step repeated n times as `step*n`).
CREATE TABLE doc_change_runs (
    document_id      TEXT NOT NULL,
    actor            TEXT NOT NULL,
    seq_first        BIGINT NOT NULL,
    seq_last         BIGINT NOT NULL,
    -- The phone's own stamp on the last change of the run (the latest of the actor's clock).
    last_change_time BIGINT NOT NULL,
    observed_first   BIGINT NOT NULL,
    observed_steps   TEXT NOT NULL,
    user_id          BIGINT,
    device_id        TEXT,
    received_at      BIGINT NOT NULL,
    PRIMARY KEY (document_id, actor, seq_first)
);

-- The rows stored so far, grouped into runs: consecutive sequence numbers of one actor received
-- together from one user and device.
WITH numbered AS (
    SELECT document_id, actor, seq, change_time, COALESCE(observed_at, received_at) AS observed,
           user_id, device_id, received_at,
           seq - ROW_NUMBER() OVER (PARTITION BY document_id, actor, user_id, device_id, received_at ORDER BY seq) AS run
    FROM doc_changes
), stepped AS (
    SELECT *, observed - LAG(observed) OVER (PARTITION BY document_id, actor, user_id, device_id, received_at, run ORDER BY seq) AS step
    FROM numbered
)
INSERT INTO doc_change_runs (document_id, actor, seq_first, seq_last, last_change_time,
    observed_first, observed_steps, user_id, device_id, received_at)
SELECT document_id, actor, MIN(seq), MAX(seq), MAX(change_time),
       SUM(CASE WHEN step IS NULL THEN observed END),
       COALESCE(string_agg(CAST(step AS TEXT), ',' ORDER BY seq), ''),
       user_id, device_id, received_at
FROM stepped
GROUP BY document_id, actor, user_id, device_id, received_at, run
ON CONFLICT DO NOTHING;

DROP TABLE doc_changes;
