// The commune's Friday report to the district (issue 15): the week picked (this week by default),
// its deadline (15:00 Friday, Vietnam time) and status; the week's figures, the people helped by
// kind, the indicators now / last week / at the baseline against the plans' targets, by village
// and by member, and what is still open. The commune officer submits it once ("Gửi báo cáo lên
// huyện", confirmed first): it is then frozen as sent, and today's figures for the same days show
// beside it when late changes restated them. XLSX download and print: a print-only A4 sheet with
// the commune's name, the week, the tables and the signature lines (weekly/print.css). The lead,
// the district and the province read it; the last answer is kept for reading offline.
import { useEffect, useState } from "preact/hooks"
import type { ComponentChildren } from "preact"
import { session } from "../api/session"
import { api, ApiError } from "../api/http"
import { download } from "../api/download"
import type { Campaign } from "../api/types"
import { useCached } from "../hooks/useCached"
import { go } from "../router"
import { Header } from "../components/Header"
import { Dialog } from "../components/Dialog"
import { ErrorNote } from "../components/ErrorNote"
import { standingPath } from "../components/Reminders"
import { forget } from "../weekly/remembered"
import type { FridayReport, IndicatorInfo, WeekIndicator, WeeklyReport as Weekly } from "../weekly/types"
import { addDays, dayMonth, fullDate, mondayOf, thisWeek, validDay, vnDay, vnMoment, weekChoices, weekdayName } from "../weekly/week"
import { bareName, communeKind, indicatorName, targetText, weekLabel } from "../weekly/format"
import { HELPED_WITH } from "../schema"
import { num, pct, when } from "../i18n"
import { t } from "../weekly/i18n"

const enc = encodeURIComponent

/** `unit`, `day` from the route (#/weekly/39301/2026-11-30); none: the caller's commune, this week. */
export function WeeklyReport({ unit, day }: { unit?: string; day?: string }) {
  const user = session.value!.user
  const own = user.role === "commune" || user.role === "team_lead" ? user.scope_unit : null
  const commune = unit ?? own
  const monday = mondayOf(validDay(day) ?? vnDay())
  const path = commune ? `/api/v1/units/${enc(commune)}/weekly-reports/${monday}` : null
  const rep = useCached<Weekly>(path)
  const catalogue = useCached<IndicatorInfo[]>("/api/v1/indicators")
  const campaigns = useCached<Campaign[]>("/api/v1/campaigns")
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<unknown>(null)
  const [notice, setNotice] = useState<string | null>(null)
  // District and province open a commune's report from their list.
  useEffect(() => {
    if (!commune) go("/reports", true)
  }, [commune])
  if (!commune || !path) return null

  const w = rep.data?.week === monday ? rep.data : undefined
  const r = w?.report
  const campaign = campaigns.data?.find((c) => c.id === r?.campaign_id) ?? campaigns.data?.find((c) => c.current)
  const weeks = weekChoices(campaign?.start_date ?? campaign?.baseline_date)
  if (!weeks.includes(monday)) weeks.push(monday)
  const canSubmit = (user.role === "commune" || user.role === "admin") && w?.status === "draft" && monday <= thisWeek()
  const query = r?.campaign_id ? `?campaign=${r.campaign_id}` : ""

  const submit = async () => {
    setBusy(true)
    setFailure(null)
    setNotice(null)
    try {
      await api<Weekly>(`${path}/submit${query}`, { method: "POST" })
      setNotice(t("weekly.sent_done"))
    } catch (e) {
      if (e instanceof ApiError && e.code === "conflict") setNotice(t("weekly.already_sent"))
      else if (e instanceof ApiError && e.code === "bad_request") setNotice(t("weekly.not_started"))
      else setFailure(e)
    } finally {
      setBusy(false)
      setConfirming(false)
      forget(standingPath(commune, monday))
      await rep.reload()
    }
  }
  const xlsx = () =>
    download(`${path}/report.xlsx${query}`, `bao-cao-tuan-${commune}-${monday}.xlsx`).catch((e: unknown) => setFailure(e))

  return (
    <>
      <Header title={t("weekly.title")} back />
      <div class="screen-only weekly">
        <section class="section">
          <h2 data-testid="weekly-commune">{r?.commune_name ?? commune}</h2>
          <label class="field">
            <span class="field-label">{t("weekly.week")}</span>
            <select name="week" value={monday} onChange={(e) => go(`/weekly/${enc(commune)}/${e.currentTarget.value}`, true)}>
              {weeks.map((x) => (
                <option key={x} value={x}>
                  {weekLabel(x)}
                  {x === thisWeek() ? ` ${t("weekly.this_week_mark")}` : ""}
                </option>
              ))}
            </select>
          </label>
          {w && <Status w={w} />}
          {canSubmit && (
            <button type="button" class="btn primary big" name="submit-report" disabled={busy} onClick={() => setConfirming(true)}>
              {t("weekly.submit")}
            </button>
          )}
          {notice && (
            <p class="banner ok" role="status" data-testid="weekly-notice">
              {notice}
            </p>
          )}
          <ErrorNote error={failure} />
          {r && (
            <div class="actions">
              <button type="button" class="btn" name="xlsx" onClick={xlsx}>
                {t("weekly.xlsx")}
              </button>
              <button type="button" class="btn" name="print" onClick={() => print()}>
                {t("weekly.print")}
              </button>
            </div>
          )}
        </section>
        {!w && (rep.offline || rep.error) && (
          <div class="pad">
            {rep.offline ? <p class="banner info">{t("weekly.offline")}</p> : <ErrorNote error={rep.failure} />}
          </div>
        )}
        {!w && !rep.offline && !rep.error && <p class="muted pad">{t("loading")}</p>}
        {w && rep.offline && rep.at && <p class="muted pad small">{t("weekly.cached", { when: when(rep.at) })}</p>}
        {w && r && <Body w={w} r={r} rev={w.revision} catalogue={catalogue.data} />}
      </div>
      {w && r && <PrintSheet w={w} r={r} rev={w.revision} catalogue={catalogue.data} />}
      {confirming && w && (
        <Dialog title={t("weekly.confirm_title")} confirm={t("weekly.confirm_send")} cancel={t("cancel")} onCancel={() => setConfirming(false)} onConfirm={() => void submit()}>
          <p>{t("weekly.confirm_body", { commune: r?.commune_name ?? commune, week: weekLabel(monday) })}</p>
          <p class="muted small">{t("weekly.confirm_frozen")}</p>
          {Date.now() > Date.parse(w.deadline) && <p class="warn">{t("weekly.confirm_late", { deadline: vnMoment(w.deadline) })}</p>}
        </Dialog>
      )}
    </>
  )
}

/** The deadline, and draft / sent on time / sent late. */
function Status({ w }: { w: Weekly }) {
  const due = vnMoment(w.deadline)
  const past = Date.now() > Date.parse(w.deadline)
  return (
    <div class="weekly-status" data-testid="weekly-status" data-status={w.status} data-timeliness={w.timeliness ?? ""}>
      <p class="nums">{t("weekly.deadline", { deadline: due })}</p>
      {w.status === "submitted" && w.submitted_at ? (
        <>
          <p class="tag-line" data-testid="weekly-sent">
            <span class={`tag ${w.timeliness === "late" ? "t-warn" : "t-ok"}`}>{t(w.timeliness === "late" ? "weekly.status.late" : "weekly.status.on_time")}</span>
            <span>{t("weekly.sent_line", { when: vnMoment(w.submitted_at), timeliness: t(w.timeliness === "late" ? "weekly.late" : "weekly.on_time") })}</span>
          </p>
          <p class="muted small">{t("weekly.sent_by", { by: w.submitted_by_name ?? "—" })}</p>
        </>
      ) : (
        <p class="tag-line">
          <span class={`tag ${past ? "t-danger" : ""}`}>{t(past ? "weekly.not_sent_overdue" : "weekly.not_sent")}</span>
        </p>
      )}
    </div>
  )
}

/** A figure, with its revised value beside it when the revision changed it. */
function Fig({ value, revised, fmt = num }: { value: number | null | undefined; revised?: number | null; fmt?: (n: number) => string }) {
  const show = (n: number | null | undefined) => (n === null || n === undefined ? "—" : fmt(n))
  return (
    <span class="fig-value">
      <span class="nums">{show(value)}</span>
      {revised !== undefined && revised !== value && (
        <>
          {" "}
          <span class="revised nums" title={t("weekly.revised_short")}>
            → {show(revised)}
          </span>
        </>
      )}
    </span>
  )
}

interface BodyProps {
  w: Weekly
  r: FridayReport
  rev: FridayReport | null
  catalogue: IndicatorInfo[] | undefined
}

/** Kinds of help, the schema's first (in its order), then any the server counted that the app does not know. */
function helpedKinds(r: FridayReport): string[] {
  return [...HELPED_WITH, ...Object.keys(r.helped_this_week ?? {}).filter((k) => !(HELPED_WITH as readonly string[]).includes(k))]
}

const helpedLabel = (k: string) => {
  const label = t(`helped.${k}`)
  return label === `helped.${k}` ? k : label
}

function Body({ w, r, rev, catalogue }: BodyProps) {
  const from = addDays(r.report_day, -6)
  const helped = helpedKinds(r)
  const helpedTotal = Object.values(r.helped_this_week ?? {}).reduce((a, b) => a + b, 0)
  return (
    <>
      {rev && (
        <p class="banner warn-banner" data-testid="weekly-revised">
          {t("weekly.revised_banner", { sent: w.submitted_at ? vnMoment(w.submitted_at) : "" })}
        </p>
      )}
      <section class="section" data-testid="weekly-figures">
        <h2>{t("weekly.this_week", { from: `${weekdayName(from)} ${dayMonth(from)}`, to: `${weekdayName(r.report_day)} ${dayMonth(r.report_day)}` })}</h2>
        <div class="figures">
          <Tile label={t("weekly.households_this_week")}>
            <Fig value={r.households_visited_this_week} revised={rev?.households_visited_this_week} />
          </Tile>
          <Tile label={t("weekly.persons_this_week")}>
            <Fig value={r.persons_surveyed_this_week} revised={rev?.persons_surveyed_this_week} />
          </Tile>
          <Tile label={t("weekly.households_total")}>
            <Fig value={r.households_visited} revised={rev?.households_visited} />
            <span class="tile-sub muted small nums">{t("weekly.of_households", { n: r.households_known })}</span>
          </Tile>
          <Tile label={t("weekly.persons_total")}>
            <Fig value={r.persons_surveyed} revised={rev?.persons_surveyed} />
          </Tile>
        </div>
        <p class="muted small">{t("weekly.figures_at", { day: fullDate(r.report_day), last: fullDate(r.previous_report_day) })}</p>
      </section>

      <section class="section" data-testid="weekly-helped">
        <h2>{t("weekly.helped")}</h2>
        <ul class="rows compact">
          {helped.map((k) => (
            <li key={k} class="row" data-helped={k}>
              <span class="row-main">
                <span class="wrap-text">{helpedLabel(k)}</span>
              </span>
              <strong class={r.helped_this_week?.[k] ? "nums" : "nums muted"}>
                <Fig value={r.helped_this_week?.[k] ?? 0} revised={rev ? (rev.helped_this_week?.[k] ?? 0) : undefined} />
              </strong>
            </li>
          ))}
          <li class="row">
            <strong>{t("weekly.helped_total")}</strong>
            <strong class="nums">{num(helpedTotal)}</strong>
          </li>
        </ul>
      </section>

      <section class="section" data-testid="weekly-indicators">
        <h2>{t("weekly.indicators")}</h2>
        <p class="muted small">
          {r.campaign_name ? `${r.campaign_name} · ` : ""}
          {r.baseline_day ? t("weekly.baseline_day", { date: fullDate(r.baseline_day) }) : t("weekly.no_baseline")}
        </p>
        <ol class="week-indicators">
          {r.indicators.map((i) => (
            <IndicatorRow key={i.id} i={i} rev={rev?.indicators.find((x) => x.id === i.id)} name={indicatorName(i.id, catalogue)} baseline={r.baseline_day} />
          ))}
        </ol>
      </section>

      <section class="section" data-testid="weekly-villages">
        <h2>{t("weekly.by_village")}</h2>
        <div class="table-wrap flush">
          <table class="plain week-table">
            <thead>
              <tr>
                <th>{t("weekly.village")}</th>
                <th class="num">{t("weekly.col_week")}</th>
                <th class="num">{t("weekly.col_visited")}</th>
                <th class="num">{t("weekly.col_persons")}</th>
              </tr>
            </thead>
            <tbody>
              {r.villages.map((v) => {
                const x = rev?.villages.find((y) => y.code === v.code)
                return (
                  <tr key={v.code} data-village={v.code}>
                    <td class="name">{v.name}</td>
                    <td class="num">
                      <Fig value={v.visited_this_week} revised={x?.visited_this_week} />
                    </td>
                    <td class="num">
                      <Fig value={v.households_visited} revised={x?.households_visited} />
                      <span class="muted">/{num(v.households_known)}</span>
                    </td>
                    <td class="num">
                      <Fig value={v.persons_surveyed} revised={x?.persons_surveyed} />
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section class="section" data-testid="weekly-members">
        <h2>{t("weekly.by_member")}</h2>
        {r.members.length === 0 ? (
          <p class="muted">{t("weekly.no_members")}</p>
        ) : (
          <div class="table-wrap flush">
            <table class="plain week-table">
              <thead>
                <tr>
                  <th>{t("weekly.member")}</th>
                  <th class="num">{t("weekly.col_week")}</th>
                  <th class="num">{t("weekly.col_total")}</th>
                </tr>
              </thead>
              <tbody>
                {r.members.map((m) => {
                  const x = rev?.members.find((y) => y.display_name === m.display_name)
                  return (
                    <tr key={m.display_name}>
                      <td class="name">{m.display_name}</td>
                      <td class="num">
                        <Fig value={m.visited_this_week} revised={x?.visited_this_week} />
                      </td>
                      <td class="num">
                        <Fig value={m.households_visited} revised={x?.households_visited} />
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section class="section" data-testid="weekly-open">
        <h2>{t("weekly.open")}</h2>
        <ul class="rows compact">
          <li class="row">
            <span class="row-main">
              <span class="wrap-text">{t("weekly.open_conflicts")}</span>
            </span>
            <strong class="nums">{num(r.open_conflicts)}</strong>
          </li>
          <li class="row">
            <span class="row-main">
              <span class="wrap-text">{t("weekly.open_send_backs")}</span>
            </span>
            <strong class="nums">{num(r.open_send_backs)}</strong>
          </li>
        </ul>
      </section>
    </>
  )
}

function Tile({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="tile">
      <span class="tile-label">{label}</span>
      <strong class="tile-value">{children}</strong>
    </div>
  )
}

/** Green: target met; amber: within 10 points; red: further; grey: nothing counted. */
function tone(i: WeekIndicator): string {
  if (i.rate === null) return "c-none"
  if (i.met === true) return "c-met"
  return i.rate >= i.target - 0.1 ? "c-near" : "c-miss"
}

function IndicatorRow({ i, rev, name, baseline }: { i: WeekIndicator; rev?: WeekIndicator; name: string; baseline: string | null }) {
  const rate = (x: number | null | undefined) => (x === null || x === undefined ? "—" : pct(x))
  return (
    <li class="week-indicator" data-indicator={i.id} data-rate={i.rate ?? ""}>
      <div class="ind-title">
        <span class="nums">{i.id}.</span> {name}
      </div>
      <div class="muted small">{t("weekly.target", { target: targetText(i.target) })}</div>
      <div class="ind-figs">
        <span class={`fig now ${tone(i)}`}>
          <small>{t("weekly.now")}</small>
          <strong class="nums">{rate(i.rate)}</strong>
          <small class="nums">
            {num(i.numerator)}/{num(i.denominator)}
          </small>
        </span>
        <span class="fig">
          <small>{t("weekly.last_week")}</small>
          <strong class="nums">{rate(i.last_week_rate)}</strong>
        </span>
        <span class="fig">
          <small>{baseline ? t("weekly.baseline_at", { date: dayMonth(baseline) }) : t("weekly.baseline")}</small>
          <strong class="nums">{rate(i.baseline_rate)}</strong>
        </span>
      </div>
      {rev && rev.rate !== i.rate && (
        <div class="revised small" data-testid="indicator-revised">
          {t("weekly.revised_rate", { rate: rate(rev.rate) })}
        </div>
      )}
    </li>
  )
}

/** The A4 sheet: shown only when printing (weekly/print.css). */
function PrintSheet({ w, r, rev, catalogue }: BodyProps) {
  const kind = communeKind(r.commune_name)
  const signedDay = w.submitted_at ? vnDay(Date.parse(w.submitted_at)) : vnDay()
  const helped = helpedKinds(r)
  return (
    <article class="print-only print-sheet weekly-print" data-testid="weekly-print">
      <header class="doc-head">
        <div class="doc-issuer">
          <span class="upper">{t("weekly.print_issuer", { commune: r.commune_name })}</span>
          <span class="rule" />
        </div>
        <div class="doc-nation">
          <strong>{t("weekly.print_nation")}</strong>
          <strong class="motto">{t("weekly.print_motto")}</strong>
          <span class="rule" />
          <em>
            {t("weekly.print_place_date", {
              place: bareName(r.commune_name),
              d: signedDay.slice(8, 10),
              m: signedDay.slice(5, 7),
              y: signedDay.slice(0, 4),
            })}
          </em>
        </div>
      </header>
      <h1 class="doc-title">{t("weekly.print_title")}</h1>
      <p class="doc-subtitle">{t("weekly.print_subtitle", { commune: r.commune_name, from: fullDate(w.week), to: fullDate(addDays(w.week, 6)) })}</p>
      <p class="doc-meta">
        {t("weekly.figures_at", { day: fullDate(r.report_day), last: fullDate(r.previous_report_day) })}
        {r.baseline_day ? ` ${t("weekly.baseline_day", { date: fullDate(r.baseline_day) })}.` : ""}
        {r.campaign_name ? ` ${t("weekly.print_campaign", { name: r.campaign_name })}` : ""}
      </p>
      <p class="doc-meta">
        {w.status === "submitted" && w.submitted_at
          ? t(w.timeliness === "late" ? "weekly.print_sent_late" : "weekly.print_sent", { when: vnMoment(w.submitted_at, true), by: w.submitted_by_name ?? "—" })
          : t("weekly.print_draft", { deadline: vnMoment(w.deadline, true) })}
      </p>
      {rev && <p class="doc-meta">{t("weekly.print_revised")}</p>}

      <h2>{t("weekly.print_s1")}</h2>
      <table class="doc-table">
        <thead>
          <tr>
            <th>{t("weekly.print_item")}</th>
            <th class="num">{t("weekly.print_count")}</th>
            {rev && <th class="num">{t("weekly.print_revised_col")}</th>}
          </tr>
        </thead>
        <tbody>
          {(
            [
              ["weekly.households_this_week", r.households_visited_this_week, rev?.households_visited_this_week],
              ["weekly.persons_this_week", r.persons_surveyed_this_week, rev?.persons_surveyed_this_week],
              ["weekly.households_total", r.households_visited, rev?.households_visited],
              ["weekly.households_known", r.households_known, rev?.households_known],
              ["weekly.persons_total", r.persons_surveyed, rev?.persons_surveyed],
              ...helped.map((k) => [`${t("weekly.print_helped_prefix")} ${helpedLabel(k)}`, r.helped_this_week?.[k] ?? 0, rev ? (rev.helped_this_week?.[k] ?? 0) : undefined]),
              ["weekly.open_conflicts", r.open_conflicts, undefined],
              ["weekly.open_send_backs", r.open_send_backs, undefined],
            ] as [string, number, number | undefined][]
          ).map(([label, n, x]) => (
            <tr key={label}>
              <td>{label.startsWith("weekly.") ? t(label) : label}</td>
              <td class="num">{num(n)}</td>
              {rev && <td class="num">{x === undefined ? "" : num(x)}</td>}
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t("weekly.print_s2")}</h2>
      <table class="doc-table">
        <thead>
          <tr>
            <th class="num">{t("weekly.print_no")}</th>
            <th>{t("weekly.print_indicator")}</th>
            <th>{t("weekly.print_target")}</th>
            <th class="num">{t("weekly.now")}</th>
            <th class="num">{t("weekly.last_week")}</th>
            <th class="num">{r.baseline_day ? t("weekly.baseline_at", { date: dayMonth(r.baseline_day) }) : t("weekly.baseline")}</th>
            <th>{t("weekly.print_met")}</th>
            {rev && <th class="num">{t("weekly.print_revised_col")}</th>}
          </tr>
        </thead>
        <tbody>
          {r.indicators.map((i) => {
            const x = rev?.indicators.find((y) => y.id === i.id)
            const rate = (v: number | null | undefined) => (v === null || v === undefined ? "—" : pct(v))
            return (
              <tr key={i.id} data-indicator={i.id}>
                <td class="num">{i.id}</td>
                <td>{indicatorName(i.id, catalogue)}</td>
                <td>{targetText(i.target)}</td>
                <td class="num">{rate(i.rate)}</td>
                <td class="num">{rate(i.last_week_rate)}</td>
                <td class="num">{rate(i.baseline_rate)}</td>
                <td>{i.met === null ? "—" : t(i.met ? "weekly.met" : "weekly.not_met")}</td>
                {rev && <td class="num">{x && x.rate !== i.rate ? rate(x.rate) : ""}</td>}
              </tr>
            )
          })}
        </tbody>
      </table>

      <h2>{t("weekly.print_s3")}</h2>
      <table class="doc-table">
        <thead>
          <tr>
            <th>{t("weekly.village")}</th>
            <th class="num">{t("weekly.col_week_long")}</th>
            <th class="num">{t("weekly.col_visited_long")}</th>
            <th class="num">{t("weekly.households_known")}</th>
            <th class="num">{t("weekly.col_persons_long")}</th>
          </tr>
        </thead>
        <tbody>
          {r.villages.map((v) => (
            <tr key={v.code}>
              <td>{v.name}</td>
              <td class="num">{num(v.visited_this_week)}</td>
              <td class="num">{num(v.households_visited)}</td>
              <td class="num">{num(v.households_known)}</td>
              <td class="num">{num(v.persons_surveyed)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t("weekly.print_s4")}</h2>
      <table class="doc-table">
        <thead>
          <tr>
            <th>{t("weekly.member")}</th>
            <th class="num">{t("weekly.col_week_long")}</th>
            <th class="num">{t("weekly.col_total_long")}</th>
          </tr>
        </thead>
        <tbody>
          {r.members.map((m) => (
            <tr key={m.display_name}>
              <td>{m.display_name}</td>
              <td class="num">{num(m.visited_this_week)}</td>
              <td class="num">{num(m.households_visited)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div class="signatures" data-testid="signatures">
        <div>
          <strong class="upper">{t("weekly.sign_preparer")}</strong>
          <em>{t("weekly.sign_preparer_hint")}</em>
        </div>
        <div>
          <strong class="upper">{t("weekly.sign_committee", { kind })}</strong>
          <em>{t("weekly.sign_committee_hint")}</em>
        </div>
      </div>
    </article>
  )
}
