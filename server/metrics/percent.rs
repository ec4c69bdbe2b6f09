//! Rates written as the province writes them: up to two decimals, a decimal comma, no trailing
//! zeros ("80%", "80,3%", "84,76%"), in the CSV as text and in the XLSX as a number format.

/// A rate as vi-VN percent text: 0.8476 → "84,76%"; null → "–".
pub fn percent_text(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{}%", percent_number(r)),
        None => "–".to_string(),
    }
}

/// The percentage without its sign: 0.8 → "80", 0.803 → "80,3", 0.8476 → "84,76".
pub fn percent_number(rate: f64) -> String {
    let text = format!("{:.2}", rate * 100.0);
    text.trim_end_matches('0')
        .trim_end_matches('.')
        .replace('.', ",")
}

/// The XLSX number format that shows a rate with the digits `percent_text` writes.
pub fn percent_format(rate: f64) -> &'static str {
    match percent_number(rate).split_once(',') {
        None => "0%",
        Some((_, d)) if d.len() == 1 => "0.0%",
        Some(_) => "0.00%",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_the_province_writes_them() {
        assert_eq!(percent_text(Some(0.8)), "80%");
        assert_eq!(percent_text(Some(0.803)), "80,3%");
        assert_eq!(percent_text(Some(0.8476)), "84,76%");
        assert_eq!(percent_text(Some(2.0 / 3.0)), "66,67%");
        assert_eq!(percent_text(Some(0.0)), "0%");
        assert_eq!(percent_text(None), "–");
        assert_eq!(percent_format(0.8), "0%");
        assert_eq!(percent_format(0.803), "0.0%");
        assert_eq!(percent_format(2.0 / 3.0), "0.00%");
        // 99.999 % rounds to 100 %: never "100,00%".
        assert_eq!(percent_text(Some(0.99999)), "100%");
    }
}
