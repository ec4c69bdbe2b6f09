// Pure helpers of the officials' console: the plans' target wording, the order of unit columns
// sorted by an indicator, and the query of the console's address (#/dash/CODE?level=&sort=&view=).
import { lang, t } from "../i18n"
import type { CatalogueEntry, DrillUnit, DrillValue } from "./types"

/**
 * A rate as the plans write a target, the same way the server's `targets::target_text` does (up
 * to two decimals, a decimal comma, no trailing zeros): 0.8 → "80% trở lên", 0.845 → "84,5% trở
 * lên", 1 → "100%".
 */
export function targetText(target: number): string {
  const number = (target * 100)
    .toFixed(2)
    .replace(/0+$/, "")
    .replace(/\.$/, "")
    .replace(".", ",")
  return target >= 1 - 1e-9 ? t("drill.target_all", { n: number }) : t("drill.target_at_least", { n: number })
}

/**
 * The wording of an indicator's target: the catalogue's own text ("80% trở lên") when the target
 * is the default one (and the screen is in Vietnamese), else built from the rate that applies.
 */
export function targetWording(target: number | null | undefined, entry: CatalogueEntry | undefined): string {
  if (target === null || target === undefined) return "—"
  const isDefault = entry && Math.abs(entry.default_target - target) < 1e-9
  if (isDefault && entry.default_target_text && lang.value === "vi") return entry.default_target_text
  return targetText(target)
}

/** Whether `target` differs from the catalogue's default for that indicator. */
export const differsFromDefault = (target: number | null | undefined, entry: CatalogueEntry | undefined) =>
  target !== null && target !== undefined && !!entry && Math.abs(entry.default_target - target) > 1e-9

/** An indicator's name: the app's own words for the model's 16, the catalogue's for one added as data. */
export function indicatorTitle(id: number, catalogue?: { id: number; name_vi: string; name_en: string }[]): string {
  const key = `ind.${id}`
  const own = t(key)
  if (own !== key) return own
  const entry = catalogue?.find((c) => c.id === id)
  if (!entry) return "—"
  return lang.value === "en" && entry.name_en ? entry.name_en : entry.name_vi
}

export const valueOf = (u: DrillUnit, id: number): DrillValue | undefined => u.indicators.find((x) => x.id === id)

/** The current rate of a unit for an indicator (null: nothing counted, or a status). */
export const rateOf = (u: DrillUnit, id: number): number | null => valueOf(u, id)?.rate ?? null

/**
 * The units ordered by an indicator's current rate, highest first; units without a rate last;
 * equal rates keep the server's order. `null`: the server's order.
 */
export function sortUnits(units: DrillUnit[], by: number | null): DrillUnit[] {
  if (by === null) return units
  return units
    .map((u, i) => ({ u, i, r: rateOf(u, by) }))
    .sort((a, b) => {
      if (a.r === null && b.r === null) return a.i - b.i
      if (a.r === null) return 1
      if (b.r === null) return -1
      return b.r - a.r || a.i - b.i
    })
    .map((x) => x.u)
}

/** A declared status as text; readable even when its message is missing. */
export function statusText(status: string): string {
  const key = `declared.status.${status}`
  const text = t(key)
  return text === key ? t("drill.status_unknown") : text
}

/** The console's view, from the query of its address. */
export interface View {
  level: string | null
  sort: number | null
  rank: boolean
}

export function readView(path: string): View {
  const q = new URLSearchParams(path.split("?")[1] ?? "")
  const sort = Number(q.get("sort"))
  return {
    level: q.get("level") || null,
    sort: Number.isInteger(sort) && sort >= 1 && sort <= 16 ? sort : null,
    rank: q.get("view") === "rank",
  }
}

/** `?level=…&sort=…&view=rank` with only the parts that are set. */
export function viewQuery(v: Partial<View>): string {
  const q = new URLSearchParams()
  if (v.level) q.set("level", v.level)
  if (v.sort) q.set("sort", String(v.sort))
  if (v.rank) q.set("view", "rank")
  const s = q.toString()
  return s ? `?${s}` : ""
}

/** The address of a unit's table, keeping the sort and the view (not the level: a unit's own). */
export const unitHref = (code: string, v: Partial<View> = {}) => `#/dash/${encodeURIComponent(code)}${viewQuery({ sort: v.sort, rank: v.rank })}`
