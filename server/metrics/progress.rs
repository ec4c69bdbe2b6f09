//! Survey progress of a commune (or a village): households visited by each enumerator and by
//! day, for the team lead and the commune's weekly report.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::clock::{rfc3339, vietnam_date};
use crate::error::{Error, Result};
use crate::metrics::readable_unit;
use crate::store::Store;

#[derive(Debug, Serialize, ToSchema)]
pub struct EnumeratorProgress {
    pub username: String,
    /// The member's name as shown to people (the username when no account has it).
    pub display_name: String,
    pub households_visited: i64,
    pub last_visit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayProgress {
    /// `YYYY-MM-DD`, Vietnam time.
    pub day: String,
    pub households_visited: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    pub unit_code: String,
    pub by_enumerator: Vec<EnumeratorProgress>,
    pub by_day: Vec<DayProgress>,
}

/// Progress by enumerator and by day, from the latest visit of each household.
pub async fn progress(store: &Store, who: &Principal, code: &str) -> Result<Progress> {
    let unit = readable_unit(store, who, code).await?;
    if !matches!(unit.level.as_str(), "commune" | "village") {
        return Err(Error::bad_request(
            "progress by enumerator is kept per commune: ask for a commune or a village (indicators give the totals above)",
        ));
    }
    // username → (display name, visits, last visit ms)
    let mut people: BTreeMap<String, (String, i64, i64)> = BTreeMap::new();
    let mut days: BTreeMap<String, i64> = BTreeMap::new();
    for (by, name, at) in store.visits_under(&unit.path).await? {
        let by = by.unwrap_or_else(|| "?".into());
        let e = people
            .entry(by.clone())
            .or_insert_with(|| (name.unwrap_or(by), 0, 0));
        e.1 += 1;
        if let Some(ms) = at {
            e.2 = e.2.max(ms);
            *days.entry(vietnam_date(ms / 1000).0).or_default() += 1;
        }
    }
    Ok(Progress {
        unit_code: unit.code,
        by_enumerator: people
            .into_iter()
            .map(|(username, (display_name, n, last))| EnumeratorProgress {
                username,
                display_name,
                households_visited: n,
                last_visit: (last > 0).then(|| rfc3339(last / 1000)),
            })
            .collect(),
        by_day: days
            .into_iter()
            .map(|(day, n)| DayProgress {
                day,
                households_visited: n,
            })
            .collect(),
    })
}
