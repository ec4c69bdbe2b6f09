//! The results table printed at the end: one column per backend.

use std::time::Duration;

use crate::maintained::Report;
use crate::population::{Population, PROVINCE};
use crate::timing::fmt_ms;
use crate::Args;

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn per_sec(n: u64, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64().max(1e-9))
}

pub fn print_table(args: &Args, pop: &Population, columns: &[(&str, Option<Report>)]) {
    let (dc, dv, dh) = pop.size_of(pop.first_district());
    let (_, cv, ch) = pop.size_of(pop.first_commune());
    let labels = [
        format!("province {PROVINCE}"),
        format!(
            "district {} ({dc} communes, {dv} villages, {dh} households)",
            pop.first_district()
        ),
        format!(
            "commune {} ({cv} villages, {ch} households)",
            pop.first_commune()
        ),
    ];
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |label: String, f: &dyn Fn(&Report) -> String| {
        let cells = columns
            .iter()
            .map(|(_, r)| r.as_ref().map_or_else(|| "failed".to_string(), f))
            .collect();
        rows.push((label, cells));
    };
    row("households / persons loaded".into(), &|r| {
        format!("{} / {}", r.households, r.persons)
    });
    row("create units (insert_units)".into(), &|r| secs(r.units));
    row("load rows (generate + write)".into(), &|r| {
        format!(
            "{} ({} rows/s; generating {})",
            secs(r.loaded.load),
            per_sec(r.households + r.persons, r.loaded.load),
            secs(r.loaded.generate)
        )
    });
    row("  then VACUUM ANALYZE".into(), &|r| {
        r.loaded.vacuum.map_or_else(|| "–".into(), secs)
    });
    row("build counters (refresh_village_stats)".into(), &|r| {
        format!(
            "{} ({} ms/village)",
            secs(r.counters),
            fmt_ms(r.counters / pop.villages.len() as u32)
        )
    });
    row(
        format!("snapshot history ({} days)", args.history_days),
        &|r| format!("{} ({} rows)", secs(r.history), r.history_rows),
    );
    row(
        format!("unit_indicators, median / p95 of {}", args.runs),
        &|_| String::new(),
    );
    for (i, label) in labels.iter().enumerate() {
        row(format!("  {label}"), &|r| r.maintained[i].ms());
    }
    row(
        format!("  province {PROVINCE} with baseline (snapshots)"),
        &|r| r.baseline[0].ms(),
    );
    row(
        format!(
            "  commune {} with baseline (snapshots)",
            pop.first_commune()
        ),
        &|r| r.baseline[1].ms(),
    );
    row(
        format!("  province {PROVINCE} with baseline, after a restatement each run (cold)"),
        &|r| r.baseline[2].ms(),
    );
    row("XLSX export, province with baseline".into(), &|r| {
        format!("{} ({} bytes)", r.xlsx.ms(), r.xlsx_bytes)
    });
    row(
        format!(
            "naive from person rows, median / p95 of {}",
            args.naive_runs
        ),
        &|_| String::new(),
    );
    for (i, label) in labels.iter().enumerate() {
        row(format!("  {label}"), &|r| r.naive[i].ms());
    }
    row("naive / maintained (province median)".into(), &|r| {
        format!(
            "{:.0}×",
            r.naive[0].median.as_secs_f64() / r.maintained[0].median.as_secs_f64().max(1e-9)
        )
    });
    row("database size".into(), &|r| {
        format!("{:.0} MB", r.size as f64 / 1e6)
    });
    row("agree (naive = maintained, province)".into(), &|r| {
        if r.agree { "yes" } else { "NO" }.to_string()
    });

    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .map(|(_, c)| c[i].chars().count())
                .chain(std::iter::once(columns[i].0.len()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut header = pad("", label_width);
    for (i, (name, _)) in columns.iter().enumerate() {
        header.push_str("  ");
        header.push_str(&pad(name, widths[i]));
    }
    println!("\n{}", header.trim_end());
    for (label, cells) in &rows {
        let mut line = pad(label, label_width);
        for (i, c) in cells.iter().enumerate() {
            line.push_str("  ");
            line.push_str(&pad(c, widths[i]));
        }
        println!("{}", line.trim_end());
    }
}
