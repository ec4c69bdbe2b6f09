// The weekly rhythm of the plans, as the server counts it (server/metrics/deadline.rs): weeks
// start on Monday, Vietnam time (UTC+7, no daylight saving); the commune's report is due at 15:00
// on the week's Friday unless the campaign sets another day and time — the screens take the
// deadline from the server's answers. Days are `YYYY-MM-DD` strings; times are shown in Vietnam
// time whatever the phone's zone, since "15:00" means 15:00 in Vietnam.
import { t } from "../i18n"
import type { WeeklyReports } from "./types"

const DAY = 86_400_000
const VIETNAM = 7 * 3600_000

/** The day in Vietnam at the instant `ms`. */
export const vnDay = (ms = Date.now()) => new Date(ms + VIETNAM).toISOString().slice(0, 10)

/** Unix ms of the start (00:00 in Vietnam) of `day`. */
export const vnDayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) - VIETNAM

export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)

/** `day` when it is a `YYYY-MM-DD` date (from a route or a query), else null. */
export const validDay = (day: string | null | undefined): string | null => (day && /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(day)) ? day : null)

/** The Monday of the week `day` falls in. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay()
  return addDays(day, -((weekday + 6) % 7))
}

/** This week's Monday (Vietnam time). */
export const thisWeek = (ms = Date.now()) => mondayOf(vnDay(ms))

/** "04/12" */
export const dayMonth = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`
/** "04/12/2026" */
export const fullDate = (day: string) => `${dayMonth(day)}/${day.slice(0, 4)}`

/** "thứ Sáu" / "Friday" for a day. */
export const weekdayName = (day: string) => t(`weekly.weekday.${new Date(`${day}T00:00:00Z`).getUTCDay()}`)

/** "14:05" in Vietnam at an instant (RFC 3339 or ms). */
export function vnClock(at: string | number): string {
  const d = new Date(new Date(at).getTime() + VIETNAM)
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`
}

/** "15:00 thứ Sáu, 04/12": an instant in Vietnam time with its weekday and day. */
export function vnMoment(at: string | number, withYear = false): string {
  const day = vnDay(new Date(at).getTime())
  return t("weekly.moment", { time: vnClock(at), weekday: weekdayName(day), date: withYear ? fullDate(day) : dayMonth(day) })
}

/** The server's rule: on time when submitted at or before the deadline. */
export const onTime = (submittedAt: string, deadline: string) => Date.parse(submittedAt) <= Date.parse(deadline)

/**
 * The weeks to choose from, newest first: this week and the earlier ones back to the campaign's
 * first week (its start day, else its baseline day), at most `max`.
 */
export function weekChoices(first: string | null | undefined, now = Date.now(), max = 26): string[] {
  const out: string[] = []
  const stop = first ? mondayOf(first) : null
  for (let w = thisWeek(now); out.length < max; w = addDays(w, -7)) {
    out.push(w)
    if (stop ? w <= stop : out.length >= 8) break
  }
  return out
}

/** A commune's line in the overview, for the cached reminder and the district's list. */
export type Standing = WeeklyReports["communes"][number]

