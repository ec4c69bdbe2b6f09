//! Text as people type it on a phone keyboard without Vietnamese input: "Nga Liên" and
//! "nga lien" are the same search, header or level word.

/// Letters and digits only, lower case, without diacritics, words joined by one space.
pub fn fold(s: &str) -> String {
    deunicode::deunicode(s)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_diacritics_case_and_spacing() {
        assert_eq!(fold(" Họ và  tên "), "ho va ten");
        assert_eq!(fold("Số điện thoại"), "so dien thoai");
        assert_eq!(fold("Xã Nga Liên"), "xa nga lien");
        assert_eq!(fold("Đặc khu"), "dac khu");
    }
}
