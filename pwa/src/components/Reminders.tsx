// Reminders on the home screen (issue 15), in the app only (no SMS or e-mail):
// - the commune officer: this week's report to the district and its deadline; on the deadline's
//   day (Friday 15:00 Vietnam time unless the campaign sets another) "due at 15:00 today" until it
//   is submitted, and overdue after it (Saturday, Sunday);
// - the team lead: members with nothing synced today, open conflicts and send-backs, and the
//   week's report (due or sent, opening it);
// - a member: how many of their records were sent back for a fix.
// Cheap: each answer is read from the cache at once and asked again at most every five minutes
// (weekly/remembered.ts), never polled.
import { session } from "../api/session"
import type { TeamView, User } from "../api/types"
import { useRemembered } from "../weekly/remembered"
import type { WeeklyReports } from "../weekly/types"
import { onTime, thisWeek, vnClock, vnDay, vnDayStart, vnMoment } from "../weekly/week"
import { num, t } from "../i18n"
import "../weekly/reminders.css"

/** The path of a commune's standing for a week (shared with the report screen, which updates it). */
export const standingPath = (commune: string, monday: string) => `/api/v1/units/${encodeURIComponent(commune)}/weekly-reports?week=${monday}`

export function Reminders() {
  const user = session.value?.user
  if (!user?.scope_unit) return null
  if (user.role === "commune") return <ReportDue commune={user.scope_unit} />
  if (user.role === "team_lead") return <LeadReminders user={user} />
  if (user.role === "enumerator") return <MemberReminders />
  return null
}

interface Line {
  tone: "ok" | "info" | "warn" | "danger"
  text: string
  href?: string
  testid: string
}

function Lines({ lines }: { lines: Line[] }) {
  if (!lines.length) return null
  return (
    <ul class="reminders" data-testid="reminders" aria-label={t("reminders.title")}>
      {lines.map((l) => {
        const body = <span class="reminder-text">{l.text}</span>
        return (
          <li key={l.testid} class={`reminder r-${l.tone}`} data-testid={l.testid}>
            {l.href ? (
              <a href={l.href} class="reminder-link">
                {body}
                <span class="chev" aria-hidden="true">
                  ›
                </span>
              </a>
            ) : (
              <div class="reminder-link">{body}</div>
            )}
          </li>
        )
      })}
    </ul>
  )
}

/** The commune officer's line about this week's report. */
function ReportDue({ commune }: { commune: string }) {
  const line = useReportLine(commune)
  return line ? <Lines lines={[line]} /> : null
}

function useReportLine(commune: string): Line | null {
  const now = Date.now()
  const monday = thisWeek(now)
  const standing = useRemembered<WeeklyReports>(standingPath(commune, monday))
  const mine = standing.data?.week === monday ? standing.data.communes.find((c) => c.code === commune) : undefined
  const line = reportLine(mine, standing.data?.deadline, now)
  return line && { ...line, href: `#/weekly/${encodeURIComponent(commune)}/${monday}`, testid: "reminder-report" }
}

/** What the officer reads about the week's report at `now`: due, overdue or sent. */
export function reportLine(mine: WeeklyReports["communes"][number] | undefined, deadline: string | undefined, now: number): Omit<Line, "testid"> | null {
  if (!deadline) return null
  if (mine && mine.status !== "not_yet" && mine.submitted_at) {
    const late = !onTime(mine.submitted_at, deadline)
    return { tone: "ok", text: t(late ? "reminders.sent_late" : "reminders.sent", { when: vnMoment(mine.submitted_at) }) }
  }
  const due = Date.parse(deadline)
  if (now > due) return { tone: "danger", text: t("reminders.overdue", { deadline: vnMoment(deadline) }) }
  // The day of the deadline (Friday unless the campaign sets another), in Vietnam.
  if (vnDay(now) === vnDay(due)) return { tone: "warn", text: t("reminders.due_today", { time: vnClock(deadline) }) }
  return { tone: "info", text: t("reminders.due", { deadline: vnMoment(deadline) }) }
}

interface SendBackLite {
  id: number
}

/** The lead: members with nothing synced today, open conflicts and send-backs; the week's report (to read it). */
function LeadReminders({ user }: { user: User }) {
  const commune = user.scope_unit!
  const report = useReportLine(commune)
  const team = useRemembered<TeamView>(`/api/v1/team?unit=${encodeURIComponent(commune)}`)
  const conflicts = useRemembered<unknown[]>(`/api/v1/units/${encodeURIComponent(commune)}/conflicts?state=open`)
  const sendBacks = useRemembered<SendBackLite[]>("/api/v1/me/send-backs")
  const today = vnDayStart(vnDay())
  const lines: Line[] = []
  if (team.data) {
    const idle = team.data.members.filter((m) => m.id !== user.id && !m.disabled && (!m.last_sync_at || Date.parse(m.last_sync_at) < today))
    if (idle.length) {
      const names = idle.slice(0, 3).map((m) => m.display_name)
      const more = idle.length - names.length
      lines.push({
        tone: "warn",
        text: t(more > 0 ? "reminders.not_synced_more" : "reminders.not_synced", { n: idle.length, names: names.join(", "), more }),
        href: "#/team",
        testid: "reminder-not-synced",
      })
    }
  }
  const c = conflicts.data?.length ?? 0
  if (c) lines.push({ tone: "warn", text: t("reminders.conflicts", { n: num(c) }), testid: "reminder-conflicts" })
  const s = sendBacks.data?.length ?? 0
  if (s) lines.push({ tone: "info", text: t("reminders.send_backs_open", { n: num(s) }), testid: "reminder-send-backs" })
  if (report) lines.push(report)
  return <Lines lines={lines} />
}

/** A member: their records sent back for a fix. */
function MemberReminders() {
  const sendBacks = useRemembered<SendBackLite[]>("/api/v1/me/send-backs")
  const s = sendBacks.data?.length ?? 0
  return s ? <Lines lines={[{ tone: "warn", text: t("reminders.to_fix", { n: num(s) }), testid: "reminder-to-fix" }]} /> : null
}
