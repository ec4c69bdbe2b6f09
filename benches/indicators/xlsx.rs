//! The province-style XLSX export, timed as the `report.xlsx` handler runs it: the indicator
//! table (with its baseline), the catalogue, the workbook.

use std::cell::Cell;

use anyhow::Result;
use khaosat::auth::Principal;
use khaosat::metrics::{report, unit_indicators, IndicatorQuery};
use khaosat::store::Store;

use crate::population::PROVINCE;
use crate::timing::{sample, Stats};

/// Times the province's export over `runs` (after a warm-up); returns the workbook's size too.
pub async fn time_export(
    store: &Store,
    admin: &Principal,
    query: &IndicatorQuery,
    runs: u32,
) -> Result<(Stats, usize)> {
    let bytes = Cell::new(0);
    let size = &bytes;
    let stats = sample(runs, true, || async move {
        let table = unit_indicators(store, admin, PROVINCE, query).await?;
        let catalogue = store.indicators().await?;
        size.set(report::xlsx(&table, &catalogue)?.len());
        Ok(())
    })
    .await?;
    Ok((stats, bytes.get()))
}
