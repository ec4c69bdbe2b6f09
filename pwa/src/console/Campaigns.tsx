// "Đợt khảo sát" (#/campaigns): every campaign with its baseline day (the "Trước" figures), its
// period and the weekly report's deadline, the current one marked and whether the province chose it
// or the server did (the latest campaign that has started). The province and admins create and
// edit campaigns (name, baseline, start, end, report weekday and time: POST /campaigns,
// PATCH /campaigns/{id}) and mark one current for everyone or return to the automatic choice
// (PUT /campaigns/current), after a confirmation; everyone else reads.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { FormFooter } from "./FormFooter"
import { Dialog } from "../components/Dialog"
import { date, t } from "../i18n"
import { atLeast, editsCampaigns } from "./access"
import { NotForRole } from "./NotForRole"
import type { CurrentCampaign, FullCampaign } from "./types"

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]

/** "15:00 thứ Sáu" (the app's weekday names count 0 = Sunday; campaigns 7 = Sunday). */
const deadlineText = (c: FullCampaign) => t("campaigns.deadline", { time: c.report_time, weekday: t(`weekly.weekday.${c.report_weekday % 7}`) })

export function Campaigns() {
  const me = session.value!.user
  if (!atLeast(me.role, "team_lead")) return <NotForRole title={t("campaigns.title")} />
  return <CampaignsScreen />
}

function CampaignsScreen() {
  const me = session.value!.user
  const list = useCached<FullCampaign[]>("/api/v1/campaigns")
  const current = useCached<CurrentCampaign>("/api/v1/campaigns/current")
  const edits = editsCampaigns(me.role)
  /** the campaign being edited, "new", or null */
  const [editing, setEditing] = useState<number | "new" | null>(null)
  const [asking, setAsking] = useState<{ mark: FullCampaign | null } | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const reload = async () => {
    await Promise.all([list.reload(), current.reload()])
  }
  const mark = async (c: FullCampaign | null) => {
    setAsking(null)
    setFailure(null)
    try {
      await api<CurrentCampaign>("/api/v1/campaigns/current", { method: "PUT", body: { campaign: c?.id ?? null } })
      await reload()
      setNotice(c ? t("campaigns.marked", { name: c.name }) : t("campaigns.unmarked"))
    } catch (e) {
      setFailure(e)
    }
  }
  const campaigns = [...(list.data ?? [])].sort((a, b) => b.id - a.id)
  return (
    <>
      <Header title={t("campaigns.title")} back />
      {(list.offline || current.offline) && <p class="muted pad small">{t("cache.offline")}</p>}
      {list.failure && !list.data && (
        <div class="pad">
          <ErrorNote error={list.failure} />
        </div>
      )}
      {current.data && (
        <section class="section" data-testid="current-campaign" data-marked={String(current.data.marked)}>
          <h2>{t("campaigns.current")}</h2>
          {current.data.campaign && <p>{current.data.campaign.name}</p>}
          <p class="muted small">
            {!current.data.campaign ? t("campaigns.current_none") : current.data.marked ? t("campaigns.current_marked") : t("campaigns.current_auto")}
          </p>
          {edits && current.data.marked && (
            <button type="button" class="btn big" name="auto-current" onClick={() => setAsking({ mark: null })}>
              {t("campaigns.auto")}
            </button>
          )}
        </section>
      )}
      {!edits && (
        <p class="pad small" data-testid="campaigns-read-only">
          {t("campaigns.read_only")}
        </p>
      )}
      {notice && (
        <p class="banner ok pad-banner" role="status" data-testid="campaign-notice">
          {notice}
        </p>
      )}
      <div class="pad">
        <ErrorNote error={failure} />
      </div>
      {edits && editing !== "new" && (
        <div class="pad">
          <button type="button" class="btn primary big" name="new-campaign" onClick={() => (setEditing("new"), setNotice(null))}>
            + {t("campaigns.new")}
          </button>
        </div>
      )}
      {edits && editing === "new" && (
        <CampaignForm
          onCancel={() => setEditing(null)}
          onSaved={async (c) => {
            await reload()
            setEditing(null)
            setNotice(t("campaigns.created", { name: c.name }))
          }}
        />
      )}
      {list.data && campaigns.length === 0 && <p class="empty">{t("campaigns.none")}</p>}
      {!list.data && !list.failure && <p class="muted pad">{t("loading")}</p>}
      <ul class="campaigns">
        {campaigns.map((c) =>
          editing === c.id ? (
            <li key={c.id}>
              <CampaignForm
                campaign={c}
                onCancel={() => setEditing(null)}
                onSaved={async (saved) => {
                  await reload()
                  setEditing(null)
                  setNotice(t("campaigns.saved", { name: saved.name }))
                }}
              />
            </li>
          ) : (
            <li key={c.id} class={`section campaign${c.current ? " current" : ""}`} data-campaign={c.id} data-current={String(c.current)}>
              <h2 class="campaign-name">
                <span data-testid="campaign-name">{c.name}</span>
                {c.current && <span class="tag can-edit">{t("campaigns.current")}</span>}
              </h2>
              <p class="small">{t("campaigns.baseline", { date: date(c.baseline_date) })}</p>
              <p class="small" data-testid="campaign-period">
                {t("campaigns.period", {
                  start: c.start_date ? date(c.start_date) : t("campaigns.open_date"),
                  end: c.end_date ? date(c.end_date) : t("campaigns.open_date"),
                })}
              </p>
              <p class="small">{deadlineText(c)}</p>
              {edits && (
                <div class="actions">
                  <button type="button" class="btn" name="edit-campaign" onClick={() => (setEditing(c.id), setNotice(null))}>
                    {t("campaigns.edit")}
                  </button>
                  {!(c.current && current.data?.marked) && (
                    <button type="button" class="btn" name="mark-current" onClick={() => setAsking({ mark: c })}>
                      {t("campaigns.make_current")}
                    </button>
                  )}
                </div>
              )}
            </li>
          ),
        )}
      </ul>
      {asking && (
        <Dialog
          title={t("campaigns.confirm_current")}
          confirm={t("campaigns.confirm")}
          cancel={t("cancel")}
          onCancel={() => setAsking(null)}
          onConfirm={() => void mark(asking.mark)}
        >
          <p>{asking.mark ? t("campaigns.confirm_current_body", { name: asking.mark.name }) : t("campaigns.confirm_auto_body")}</p>
        </Dialog>
      )}
    </>
  )
}

interface FormProps {
  /** absent: a new campaign */
  campaign?: FullCampaign
  onCancel: () => void
  onSaved: (c: FullCampaign) => Promise<void>
}

function CampaignForm({ campaign, onCancel, onSaved }: FormProps) {
  const [name, setName] = useState(campaign?.name ?? "")
  const [baseline, setBaseline] = useState(campaign?.baseline_date ?? "")
  const [start, setStart] = useState(campaign?.start_date ?? "")
  const [end, setEnd] = useState(campaign?.end_date ?? "")
  const [weekday, setWeekday] = useState(campaign?.report_weekday ?? 5)
  const [time, setTime] = useState(campaign?.report_time ?? "15:00")
  const [tried, setTried] = useState(false)
  const [failure, setFailure] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  function check(): string | null {
    if (!name.trim()) return t("campaigns.err.name")
    if (!baseline) return t("campaigns.err.baseline")
    if (start && end && end < start) return t("campaigns.err.end")
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return t("campaigns.err.time")
    return null
  }

  async function save(e: Event) {
    e.preventDefault()
    setTried(true)
    setFailure(null)
    if (check()) return
    setBusy(true)
    try {
      let saved: FullCampaign
      if (campaign) {
        // Only what changed; "" clears a date.
        const body: Record<string, unknown> = {}
        if (name.trim() !== campaign.name) body.name = name.trim()
        if (baseline !== campaign.baseline_date) body.baseline_date = baseline
        if (start !== (campaign.start_date ?? "")) body.start_date = start
        if (end !== (campaign.end_date ?? "")) body.end_date = end
        if (weekday !== campaign.report_weekday) body.report_weekday = weekday
        if (time !== campaign.report_time) body.report_time = time
        saved = await api<FullCampaign>(`/api/v1/campaigns/${campaign.id}`, { method: "PATCH", body })
      } else {
        const body: Record<string, unknown> = { name: name.trim(), baseline_date: baseline, report_weekday: weekday, report_time: time }
        if (start) body.start_date = start
        if (end) body.end_date = end
        saved = await api<FullCampaign>("/api/v1/campaigns", { method: "POST", body })
      }
      await onSaved(saved)
    } catch (err) {
      setFailure(err)
    } finally {
      setBusy(false)
    }
  }

  const problem = tried ? check() : null
  return (
    <form class="section campaign-form" onSubmit={save} noValidate data-testid="campaign-form">
      <h2>{campaign ? t("campaigns.edit_title") : t("campaigns.new_title")}</h2>
      <label class="field">
        <span class="field-label">{t("campaigns.name")}</span>
        <input name="name" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">{t("campaigns.baseline_date")}</span>
        <input type="date" name="baseline_date" value={baseline} onInput={(e) => setBaseline(e.currentTarget.value)} />
        <span class="small muted">{t("campaigns.baseline_hint")}</span>
      </label>
      <div class="two">
        <label class="field">
          <span class="field-label">{t("campaigns.start")}</span>
          <input type="date" name="start_date" value={start} onInput={(e) => setStart(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t("campaigns.end")}</span>
          <input type="date" name="end_date" value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
        </label>
      </div>
      <p class="small muted">{t("campaigns.dates_hint")}</p>
      <div class="two">
        <label class="field">
          <span class="field-label">{t("campaigns.weekday")}</span>
          <select name="report_weekday" value={weekday} onChange={(e) => setWeekday(Number(e.currentTarget.value))}>
            {WEEKDAYS.map((d) => (
              <option key={d} value={d}>
                {t(`campaigns.weekday.${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t("campaigns.time")}</span>
          <input type="time" name="report_time" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
        </label>
      </div>
      <FormFooter
        problem={problem}
        problemId="campaign-problem"
        failure={failure}
        busy={busy}
        onCancel={onCancel}
        saveName="save-campaign"
        save={campaign ? t("campaigns.save") : t("campaigns.create")}
        saving={t("campaigns.saving")}
      />
    </form>
  )
}
