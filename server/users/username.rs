//! A username proposed from a person's name: "Nguyễn Văn An" → `nguyenvanan`, with a number
//! added when it is taken, so a lead adding 30 volunteers never invents usernames.

use std::collections::HashSet;

use crate::error::Result;
use crate::store::Store;

/// Longest proposal before a number is added (usernames are at most 64 characters).
const MAX_BASE: usize = 40;

/// The name without diacritics, spaces or punctuation, lower case (`đ` becomes `d`).
pub fn username_base(display_name: &str) -> String {
    let plain = deunicode::deunicode(display_name).to_ascii_lowercase();
    let mut base: String = plain.chars().filter(char::is_ascii_alphanumeric).collect();
    base.truncate(MAX_BASE);
    if base.len() < 3 {
        // A name of one or two letters (or in a script deunicode drops) still gets a username.
        base = format!("tv{base}");
        base.truncate(MAX_BASE);
        while base.len() < 3 {
            base.push('0');
        }
    }
    base
}

/// The first of `base`, `base2`, `base3`… that is neither in the database nor in `also_taken`
/// (usernames proposed earlier in the same import). A base ending in a digit gets `_2`, `_3`…
/// so that the second "Lê Thu 1" is not confused with "Lê Thu 12".
pub async fn free_username(
    store: &Store,
    display_name: &str,
    also_taken: &HashSet<String>,
) -> Result<String> {
    let base = username_base(display_name);
    let taken: HashSet<String> = store.usernames_starting(&base).await?.into_iter().collect();
    let free = |candidate: &String| !taken.contains(candidate) && !also_taken.contains(candidate);
    let separator = if base.ends_with(|c: char| c.is_ascii_digit()) {
        "_"
    } else {
        ""
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while !free(&candidate) {
        candidate = format!("{base}{separator}{n}");
        n += 1;
    }
    Ok(candidate)
}

#[cfg(test)]
mod tests {
    use super::username_base;

    #[test]
    fn vietnamese_names_lose_their_marks() {
        assert_eq!(username_base("Nguyễn Văn An"), "nguyenvanan");
        assert_eq!(username_base("Đỗ Thị Hằng"), "dothihang");
        assert_eq!(username_base("  Lê Văn Hùng-Anh "), "levanhunganh");
        assert_eq!(username_base("Ư"), "tvu");
        assert_eq!(username_base(""), "tv0");
        assert!(username_base(&"Ngô ".repeat(40)).len() <= 40);
    }
}
