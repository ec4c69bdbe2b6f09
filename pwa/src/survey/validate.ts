// Checks that help the enumerator catch typos. They only ever produce hints: a partial or odd
// record is always saved (the person may not have their card at hand, or the card may be odd).
import type { Sex } from "../schema"
import { CCCD_PROVINCES } from "./provinces"

/** A hint: an i18n key and its parameters. */
export interface Hint {
  key: string
  params?: Record<string, string | number>
  /** "ok" confirms what was understood (e.g. the province); "warn" points at a likely mistake */
  level: "ok" | "warn"
}

export const digitsOnly = (s: string) => s.replace(/[\s.\-]/g, "")

/**
 * CCCD: 12 digits = province (3) + sex/century (1) + last two digits of the birth year (2) +
 * random (6). The 4th digit is 0/1 for a man/woman born in the 1900s, 2/3 in the 2000s, 4/5 in
 * the 2100s, 6/7 in the 2200s, 8/9 in the 1800s.
 */
export function checkCccd(raw: string, birthYear?: number, sex?: Sex): Hint[] {
  const s = digitsOnly(raw)
  if (!s) return []
  if (!/^\d+$/.test(s)) return [{ key: "hint.cccd_digits", level: "warn" }]
  if (s.length !== 12) return [{ key: "hint.cccd_length", params: { n: s.length }, level: "warn" }]
  const hints: Hint[] = []
  const province = CCCD_PROVINCES[s.slice(0, 3)]
  hints.push(province ? { key: "hint.cccd_province", params: { province }, level: "ok" } : { key: "hint.cccd_no_province", params: { code: s.slice(0, 3) }, level: "warn" })
  const g = Number(s[3])
  const century = [1900, 2000, 2100, 2200, 1800][Math.floor(g / 2)]
  const cardSex: Sex = g % 2 === 0 ? "male" : "female"
  const cardYear = century + Number(s.slice(4, 6))
  if (birthYear && birthYear !== cardYear) hints.push({ key: "hint.cccd_year", params: { year: String(cardYear) }, level: "warn" })
  if (sex && sex !== "other" && sex !== cardSex) hints.push({ key: cardSex === "male" ? "hint.cccd_sex_male" : "hint.cccd_sex_female", level: "warn" })
  return hints
}

/** Normalises a Vietnamese number to 0xxxxxxxxx (+84/84 prefixes, spaces, dots removed). */
export function normalizePhone(raw: string): string {
  let s = digitsOnly(raw).replace(/^\+/, "")
  if (/^84\d{9}$/.test(s)) s = "0" + s.slice(2)
  return s
}

/** Mobile numbers: 0 + 9 digits, networks 03x, 05x, 07x, 08x, 09x. */
export function checkPhone(raw: string): Hint[] {
  const s = normalizePhone(raw)
  if (!s) return []
  if (!/^\d+$/.test(s)) return [{ key: "hint.phone_digits", level: "warn" }]
  if (s.length !== 10) return [{ key: "hint.phone_length", params: { n: s.length }, level: "warn" }]
  if (!/^0[35789]/.test(s)) return [{ key: "hint.phone_prefix", level: "warn" }]
  return []
}

export function checkBirthYear(year: number | undefined, now = new Date()): Hint[] {
  if (year === undefined) return []
  const age = now.getFullYear() - year
  if (year < 1900 || age < 0) return [{ key: "hint.year_range", level: "warn" }]
  if (age < 15) return [{ key: "hint.under_15", params: { age }, level: "warn" }]
  return []
}
