// Formats of the console: rates with two decimals as the province writes them (84,76%), targets as
// the plans write them ("80% trở lên", "100%"), a declared value as text.
import { t } from "../i18n"
import { indicatorTitle } from "../dash/format"
import type { DeclaredValue } from "./types"

const rateFormat = new Intl.NumberFormat("vi-VN", { style: "percent", maximumFractionDigits: 2 })
/** 0.8476 → "84,76%" */
export const rate = (r: number) => rateFormat.format(r)

/** A target as the plans write it, as the server's `text` does: 0.8 → "80% trở lên", 1 → "100%". */
export function targetText(target: number): string {
  return target >= 1 - 1e-9 ? rate(1) : t("targets.at_least", { pct: rate(target) })
}

/** "18/20 · 90%", or the status as the province's table writes it ("Chưa có"). */
export function declaredText(v: DeclaredValue): string {
  if (v.status) return t(`declared.status.${v.status}`)
  return `${v.numerator.toLocaleString("vi-VN")}/${v.denominator.toLocaleString("vi-VN")} · ${rate(v.numerator / v.denominator)}`
}

/** A percentage typed by a person: "80", "84,76", "84.76" → 0.8476; null when it is not one. */
export function parsePercent(text: string): number | null {
  const s = text.trim().replace(/\s*%$/, "").replace(",", ".")
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null
  const n = Number(s)
  return n >= 0 && n <= 100 ? Math.round(n * 100) / 10000 : null
}

/** The indicator's name in the language shown: the app's `ind.N`, or the catalogue's for one added by rule. */
export const indicatorName = (id: number, catalogue?: { id: number; name_vi: string; name_en: string }[]) => `${id}. ${indicatorTitle(id, catalogue)}`

/** Today in Vietnam (UTC+7), as the server counts days: YYYY-MM-DD. */
export const vietnamToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)

