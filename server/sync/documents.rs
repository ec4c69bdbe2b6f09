//! Village documents over HTTP: which documents a user syncs, creating a village's document on
//! first need, and "which of these changed since these heads".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::store::{Store, UnitFilter, VillageDocRow};
use crate::survey::new_document_id;
use crate::survey::write::new_village_document;
use crate::sync::access::{document_access, Access};
use crate::sync::commit::heads_string;

/// A document the caller may sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentEntry {
    /// automerge-repo document id; its URL is `automerge:` + id.
    pub document_id: String,
    pub unit_code: String,
    pub unit_name: String,
    pub access: Access,
    /// The server's heads (sorted hex), to compare with the phone's before syncing.
    pub heads: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangedRequest {
    /// Document id → the heads the phone has (hex change hashes).
    pub documents: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedReport {
    /// Documents whose server heads differ from the phone's: sync these.
    pub changed: Vec<String>,
    /// Documents the caller may not (or no longer) sync, or that do not exist.
    pub unavailable: Vec<String>,
}

/// Most documents one "changed" call may ask about.
pub const MAX_CHANGED_QUERY: usize = 2000;

fn split_heads(heads: &str) -> Vec<String> {
    heads
        .split(',')
        .filter(|h| !h.is_empty())
        .map(String::from)
        .collect()
}

/// The document of a village, created (with its first change) when it has none yet.
pub async fn ensure_village_document(store: &Store, unit_code: &str) -> Result<VillageDocRow> {
    if let Some(row) = store.village_document_of_unit(unit_code).await? {
        return Ok(row);
    }
    let at = now();
    let (bytes, heads) =
        new_village_document(unit_code, at).map_err(|e| Error::Internal(e.to_string()))?;
    let hash: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(store
        .create_village_document(
            unit_code,
            &new_document_id(),
            &bytes,
            &hash,
            &heads_string(&heads),
            at,
        )
        .await?)
}

/// Villages whose documents `who` may sync.
async fn syncable_villages(store: &Store, who: &Principal) -> Result<Vec<(String, String)>> {
    match who.role {
        Role::Enumerator => {
            let mut villages: Vec<(String, String)> = store
                .assignments("/", Some(who.user_id))
                .await?
                .into_iter()
                .map(|a| (a.village_code, a.village_name))
                .collect();
            villages.sort();
            villages.dedup();
            Ok(villages)
        }
        Role::TeamLead | Role::Commune => Ok(store
            .units(&UnitFilter {
                under_path: Some(&who.scope_path),
                level: Some("village"),
                limit: 100_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|u| (u.code, u.name))
            .collect()),
        _ => Ok(Vec::new()),
    }
}

pub async fn my_documents(store: &Store, who: &Principal) -> Result<Vec<DocumentEntry>> {
    let mut out = Vec::new();
    for (code, name) in syncable_villages(store, who).await? {
        let row = ensure_village_document(store, &code).await?;
        if let Some(access) = document_access(store, who, &row).await? {
            out.push(DocumentEntry {
                document_id: row.document_id,
                unit_code: code,
                unit_name: name,
                access,
                heads: split_heads(&row.heads),
            });
        }
    }
    Ok(out)
}

pub async fn changed_since(
    store: &Store,
    who: &Principal,
    req: &ChangedRequest,
) -> Result<ChangedReport> {
    if req.documents.len() > MAX_CHANGED_QUERY {
        return Err(Error::bad_request(format!(
            "ask about at most {MAX_CHANGED_QUERY} documents per call"
        )));
    }
    let mut report = ChangedReport {
        changed: Vec::new(),
        unavailable: Vec::new(),
    };
    for (id, heads) in &req.documents {
        let row = match store.village_document(id).await? {
            Some(row) if document_access(store, who, &row).await?.is_some() => row,
            _ => {
                report.unavailable.push(id.clone());
                continue;
            }
        };
        let mut theirs: Vec<String> = heads.iter().map(|h| h.to_lowercase()).collect();
        theirs.sort();
        theirs.dedup();
        if theirs != split_heads(&row.heads) {
            report.changed.push(id.clone());
        }
    }
    Ok(report)
}
