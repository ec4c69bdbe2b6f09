//! An indicator added by rule (issue 16) for the benchmarks: persons aged 15+ with a smartphone,
//! so every batch and every table counts one more indicator, as a province's would.

use khaosat::store::{NewRuleIndicator, Store, StoreError};

/// Adds the `n`th benchmark indicator at time `at`, marked as counted in every village (as a
/// province's is once its first count ends; the benchmarks write or make its counts); returns
/// its id.
pub async fn add_rule_indicator(store: &Store, n: u32, at: i64) -> Result<i64, StoreError> {
    let id = store
        .insert_rule_indicator(
            &NewRuleIndicator {
                name_vi: &format!("Chỉ tiêu bổ sung {n}"),
                name_en: "",
                default_target: 0.8,
                counts: "persons",
                numerator_when: r#"{"yes": "has_smartphone"}"#,
                denominator_when: None,
                rate_among: None,
                created_by: "bench",
            },
            at,
        )
        .await?;
    store.mark_rule_indicator_counted(id, at).await?;
    Ok(id)
}
