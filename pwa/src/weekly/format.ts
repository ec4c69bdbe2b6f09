// Formats of the weekly-cycle screens (in their chunk, with their messages): week names, targets
// as the plans write them, indicator names, the commune's kind for the signature line.
import { lang, pct } from "../i18n"
import { t } from "./i18n"
import { addDays, dayMonth, fullDate } from "./week"

/** "Tuần 30/11 – 06/12/2026": a week named by its Monday, Monday to Sunday. */
export const weekLabel = (monday: string) => t("weekly.week_label", { from: dayMonth(monday), to: fullDate(addDays(monday, 6)) })

/** A target as the plans (and the server's target texts) write it: "100%" or "80% trở lên". */
export function targetText(target: number | null | undefined): string {
  if (target === null || target === undefined) return "—"
  return target >= 0.9995 ? pct(1) : t("weekly.target_at_least", { pct: pct(target) })
}

/** An indicator's name: the server's catalogue in the language shown, else the app's short name. */
export function indicatorName(id: number, catalogue: { id: number; name_vi: string; name_en: string }[] | undefined): string {
  const c = catalogue?.find((x) => x.id === id)
  if (c) return lang.value === "en" && c.name_en ? c.name_en : c.name_vi
  return t(`ind.${id}`)
}

/** "Xã" / "Phường" / "Thị trấn": the commune's kind, from the start of its name (for the signature line). */
export function communeKind(name: string): string {
  const n = name.toLocaleLowerCase("vi")
  if (n.startsWith("phường") || n.startsWith("p.")) return t("weekly.kind.ward")
  if (n.startsWith("thị trấn")) return t("weekly.kind.town")
  return t("weekly.kind.commune")
}

/** The commune's name without its kind ("Xã Nga Liên" → "Nga Liên"). */
export const bareName = (name: string) => name.replace(/^(xã|phường|thị trấn|p\.)\s+/i, "")
