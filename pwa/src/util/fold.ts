/**
 * Folds Vietnamese text for searching and comparing: "Nguyễn Văn Đức" → "nguyen van duc".
 * NFD splits letters from their tone and vowel marks, which are then dropped; đ/Đ is its own
 * letter (not d + a mark), so it must be mapped explicitly.
 */
export function fold(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
}
