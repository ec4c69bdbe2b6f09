//! SQL for teams: the people (not service accounts) working in a commune, their phones, and
//! when the server last stored changes from each phone.

use sqlx::FromRow;

use super::assignments::insert_assignment_on;
use super::users::{insert_user_on, USER_SELECT};
use super::{DocWrite, NewAssignment, NewUser, Store, StoreError, UserRow};

/// A member added from a sheet: the account, and the village given to them (if any).
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub user: NewUser<'a>,
    pub village_code: Option<&'a str>,
}

/// A device session of a team member, with the last stored sync from that (user, device).
#[derive(Debug, Clone, FromRow)]
pub struct TeamDeviceRow {
    pub session_id: String,
    pub user_id: i64,
    pub device_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    pub wipe: i64,
    pub last_sync_at: Option<i64>,
}

/// Users under a path, by scope (the same condition as `users_under`).
const UNDER: &str = "substr(COALESCE(s.path, '/'), 1, length($1)) = $1";

impl Store {
    /// Enumerators and team leads whose scope lies under `path`, service accounts left out.
    pub async fn team_users(&self, path: &str) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{USER_SELECT} WHERE {UNDER} AND u.service = 0 AND u.role IN ('enumerator', 'team_lead')
             ORDER BY u.display_name, u.id"
        ))
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Adds every member or none (one transaction): a sheet with one taken username leaves
    /// nothing half-imported. Returns the new user ids in order.
    pub async fn insert_members(
        &self,
        members: &[NewMember<'_>],
        assigned_by: i64,
        note: &str,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut ids = Vec::with_capacity(members.len());
        for m in members {
            let id = insert_user_on(&mut *tx, &m.user, now).await?;
            if let Some(village_code) = m.village_code {
                let assignment = NewAssignment {
                    village_code,
                    assignee_id: id,
                    assigned_by,
                    household_ids: None,
                    due_date: None,
                    note: Some(note),
                };
                insert_assignment_on(&mut *tx, &assignment, now).await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Sessions of users under `path` that are live or ended after `since`, newest first.
    pub async fn team_devices(
        &self,
        path: &str,
        since: i64,
        now: i64,
    ) -> Result<Vec<TeamDeviceRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "SELECT d.id AS session_id, d.user_id, d.device_id, d.created_at, d.last_seen_at,
                d.revoked_at, d.revoked_reason, d.wipe, y.last_sync_at
             FROM device_sessions d
             JOIN users u ON u.id = d.user_id
             LEFT JOIN units s ON s.code = u.scope_unit
             LEFT JOIN device_syncs y ON y.user_id = d.user_id AND y.device_id = d.device_id
             WHERE {UNDER} AND u.service = 0
               AND (d.revoked_at IS NULL AND d.expires_at > $3 OR d.revoked_at > $2)
             ORDER BY d.created_at DESC, d.id"
        ))
        .bind(path)
        .bind(since)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// The last stored sync of each user under `path` (over all their devices).
    pub async fn last_syncs(&self, path: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "SELECT y.user_id, MAX(y.last_sync_at) FROM device_syncs y
             JOIN users u ON u.id = y.user_id
             LEFT JOIN units s ON s.code = u.scope_unit
             WHERE {UNDER}
             GROUP BY y.user_id"
        ))
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl DocWrite {
    /// Notes that changes from (user, device) were stored now, with them.
    pub async fn record_device_sync(
        &mut self,
        user_id: i64,
        device_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO device_syncs (user_id, device_id, last_sync_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, device_id) DO UPDATE SET last_sync_at = excluded.last_sync_at",
        )
        .bind(user_id)
        .bind(device_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
