-- The per-household audit kept compact (issue 18). A stored batch is one row: the document's
-- heads before and after it, its actors, and who sent it; each household it touched is one
-- (household, batch) pair. What changed, value by value, is read back from the document between
-- those heads when someone opens the household's history (Automerge keeps every change), instead
-- of being copied into the database at each sync. Rows of `household_audit` stored before stay
-- and are read as they were.
CREATE TABLE doc_batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  TEXT NOT NULL,
    heads_before TEXT NOT NULL,
    heads_after  TEXT NOT NULL,
    actors       TEXT NOT NULL,
    user_id      INTEGER,
    username     TEXT,
    device_id    TEXT,
    at           INTEGER NOT NULL
);

CREATE TABLE household_batches (
    household_id TEXT NOT NULL,
    batch_id     INTEGER NOT NULL,
    PRIMARY KEY (household_id, batch_id)
) WITHOUT ROWID;
