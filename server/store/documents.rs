//! SQL for village documents: which document belongs to which village, the append-only chunk
//! store, and the write transaction in which changes are stored and projected together.

use sqlx::{Any, FromRow, Transaction};

use super::{Backend, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct VillageDocRow {
    pub unit_code: String,
    pub document_id: String,
    /// Sorted hex change hashes, comma-separated.
    pub heads: String,
    /// Path of the village unit, for scope checks.
    pub path: String,
    pub unit_status: String,
}

const DOC_SELECT: &str =
    "SELECT d.unit_code, d.document_id, d.heads, u.path, u.status AS unit_status
     FROM village_documents d JOIN units u ON u.code = d.unit_code";

impl Store {
    pub async fn village_document(
        &self,
        document_id: &str,
    ) -> Result<Option<VillageDocRow>, StoreError> {
        let row = sqlx::query_as(&format!("{DOC_SELECT} WHERE d.document_id = $1"))
            .bind(document_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Every village document, in village order (for work over all of them).
    pub async fn village_documents(&self) -> Result<Vec<VillageDocRow>, StoreError> {
        let rows = sqlx::query_as(&format!("{DOC_SELECT} ORDER BY u.path"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }

    pub async fn village_document_of_unit(
        &self,
        unit_code: &str,
    ) -> Result<Option<VillageDocRow>, StoreError> {
        let row = sqlx::query_as(&format!("{DOC_SELECT} WHERE d.unit_code = $1"))
            .bind(unit_code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Registers the document of a village with its first chunk, unless another request (or
    /// replica) did so first; returns the document that won.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_village_document(
        &self,
        unit_code: &str,
        document_id: &str,
        initial: &[u8],
        hash: &str,
        heads: &str,
        now: i64,
    ) -> Result<VillageDocRow, StoreError> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO village_documents (unit_code, document_id, heads, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (unit_code) DO NOTHING",
        )
        .bind(unit_code)
        .bind(document_id)
        .bind(heads)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            insert_chunk(&mut tx, document_id, "snapshot", initial, hash, now).await?;
        }
        tx.commit().await?;
        self.village_document_of_unit(unit_code)
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("village {unit_code} has no document")))
    }

    /// Every stored chunk of a document after `after_seq`, in order.
    pub async fn doc_chunks(
        &self,
        document_id: &str,
        after_seq: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT seq, bytes FROM doc_chunks WHERE document_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(document_id)
        .bind(after_seq)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Opens the transaction in which changes to one document are stored and projected.
    /// On PostgreSQL it holds the document's advisory lock, so replicas write one at a time.
    pub async fn begin_doc_write(&self, document_id: &str) -> Result<DocWrite, StoreError> {
        let mut tx = self.writer.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(document_id)
                .execute(&mut *tx)
                .await?;
        }
        Ok(DocWrite {
            tx,
            backend: self.backend,
            document_id: document_id.to_string(),
            since: std::time::Instant::now(),
            held: self.held.clone(),
        })
    }
}

async fn insert_chunk(
    tx: &mut Transaction<'static, Any>,
    document_id: &str,
    kind: &str,
    bytes: &[u8],
    hash: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let seq = sqlx::query_scalar(
        "INSERT INTO doc_chunks (document_id, hash, kind, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (document_id, hash) DO NOTHING RETURNING seq",
    )
    .bind(document_id)
    .bind(hash)
    .bind(kind)
    .bind(bytes)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(seq)
}

/// One document's write transaction; dropped without `commit` it stores nothing.
pub struct DocWrite {
    pub(super) tx: Transaction<'static, Any>,
    pub(super) backend: Backend,
    pub(super) document_id: String,
    /// When the transaction got the writer (its held time is counted at commit).
    since: std::time::Instant,
    held: std::sync::Arc<super::held::HeldTime>,
}

impl DocWrite {
    /// Chunks other replicas stored since `after_seq` (to merge before projecting).
    pub async fn chunks_after(
        &mut self,
        after_seq: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT seq, bytes FROM doc_chunks WHERE document_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(&self.document_id)
        .bind(after_seq)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows)
    }

    /// Appends the bytes of some changes; `None` when exactly these bytes were stored before.
    pub async fn append_changes(
        &mut self,
        bytes: &[u8],
        hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        insert_chunk(
            &mut self.tx,
            &self.document_id.clone(),
            "changes",
            bytes,
            hash,
            now,
        )
        .await
    }

    /// Stores `snapshot` and deletes the chunks listed in `covered` (the ones the caller merged
    /// into it), never the snapshot itself; `None` when this very snapshot was stored before
    /// (then nothing is deleted).
    pub async fn compact(
        &mut self,
        snapshot: &[u8],
        hash: &str,
        covered: &[i64],
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let doc = self.document_id.clone();
        let seq = insert_chunk(&mut self.tx, &doc, "snapshot", snapshot, hash, now).await?;
        let Some(seq) = seq else {
            return Ok(None);
        };
        for batch in covered.chunks(500) {
            let list: Vec<String> = (0..batch.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "DELETE FROM doc_chunks WHERE document_id = $1 AND seq <> $2 AND seq IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(&doc).bind(seq);
            for s in batch {
                q = q.bind(*s);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(Some(seq))
    }

    /// The heads recorded by the last committed write of this document.
    pub async fn stored_heads(&mut self) -> Result<String, StoreError> {
        let heads =
            sqlx::query_scalar("SELECT heads FROM village_documents WHERE document_id = $1")
                .bind(&self.document_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(heads.unwrap_or_default())
    }

    /// Binds an actor to a user and device on first sight; returns the user it is bound to.
    pub async fn bind_actor(
        &mut self,
        actor: &str,
        user_id: i64,
        device_id: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO actor_bindings (actor, user_id, device_id, first_seen) VALUES ($1, $2, $3, $4)
             ON CONFLICT (actor) DO NOTHING",
        )
        .bind(actor)
        .bind(user_id)
        .bind(device_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        let owner = sqlx::query_scalar("SELECT user_id FROM actor_bindings WHERE actor = $1")
            .bind(actor)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(owner)
    }

    pub async fn set_heads(&mut self, heads: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE village_documents SET heads = $1, updated_at = $2 WHERE document_id = $3",
        )
        .bind(heads)
        .bind(now)
        .bind(&self.document_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Commits; on PostgreSQL other replicas are told the document moved.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify('khaosat_documents', $1)")
                .bind(&self.document_id)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        self.held.record(self.since);
        Ok(())
    }
}

impl Store {
    /// How long document writes have held the writer since the process started.
    pub fn writer_held(&self) -> super::WriterHeld {
        self.held.read()
    }
}
