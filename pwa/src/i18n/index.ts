// Vietnamese by default, English on request (remembered per phone). Numbers and dates are always
// written the Vietnamese way (1.234; 23/11/2026), which is what reports and users expect.
import { signal } from "@preact/signals"
import { vi, type Messages } from "./vi"
import { en } from "./en"
import { HELPED_LABELS } from "../schema"

export type Lang = "vi" | "en"
export const lang = signal<Lang>(localStorage.getItem("khaosat.lang") === "en" ? "en" : "vi")

export function setLang(l: Lang): void {
  localStorage.setItem("khaosat.lang", l)
  document.documentElement.lang = l
  lang.value = l
}

const dictionaries: Record<Lang, Record<string, string>> = { vi: { ...vi }, en: { ...en } }
// The names of the survey's fixed choices come with the schema (declared once, on the server).
for (const [k, l] of Object.entries(HELPED_LABELS)) {
  dictionaries.vi[`helped.${k}`] = l.vi
  dictionaries.en[`helped.${k}`] = l.en
}

/** Messages of a screen loaded on first use (its chunk adds them when it loads). */
export function addMessages(more: Record<Lang, Record<string, string>>): void {
  Object.assign(dictionaries.vi, more.vi)
  Object.assign(dictionaries.en, more.en)
}

/** The message for `key` with {name} placeholders filled in; unknown keys show as themselves. */
export function t(key: keyof Messages | string, params?: Record<string, string | number>): string {
  const dict = dictionaries[lang.value]
  // English says "1 change", "2 changes": a message about {n} may have a `<key>_one` form.
  const one = params?.n === 1 ? dict[`${key}_one`] : undefined
  const text = one ?? dict[key] ?? dictionaries.vi[key] ?? key
  return params ? text.replace(/\{(\w+)\}/g, (_, k) => (k in params ? fmtParam(params[k]) : `{${k}}`)) : text
}

const fmtParam = (v: string | number) => (typeof v === "number" ? num(v) : v)

const numberFormat = new Intl.NumberFormat("vi-VN")
// Up to two decimals, as the province writes rates (84,76 %).
const percentFormat = new Intl.NumberFormat("vi-VN", { style: "percent", maximumFractionDigits: 2 })
const dateFormat = new Intl.DateTimeFormat("vi-VN", { day: "2-digit", month: "2-digit", year: "numeric" })
const timeFormat = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit" })

export const num = (n: number) => numberFormat.format(n)
export const pct = (ratio: number) => percentFormat.format(ratio)
export const date = (d: Date | number | string) => dateFormat.format(new Date(d))
export const time = (d: Date | number | string) => timeFormat.format(new Date(d))

/** "14:05" today, "14:05 22/11/2026" otherwise. */
export function when(d: Date | number | string): string {
  const x = new Date(d)
  return new Date().toDateString() === x.toDateString() ? time(x) : `${time(x)} ${date(x)}`
}
