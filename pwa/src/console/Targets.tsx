// "Chỉ tiêu mục tiêu" (#/targets?unit=CODE&campaign=ID): for a unit (default: the user's own) and
// a campaign (default: the current one), each indicator's target in force as the plans write it
// ("80% trở lên"), where it comes from (the indicator's default, set for a unit, for a campaign,
// or both) with who set it and when, and every override that can reach the unit, newest first.
// The province and admins (the district in its own area) set a new one, typed as a percentage,
// for the unit in every campaign, for the unit in this campaign only, or (admin) everywhere in
// this campaign: POST /api/v1/targets. The unit picker moves up to the parent (inside the user's
// area) and down to the children.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import type { Unit } from "../api/types"
import { go, route } from "../router"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { FormFooter } from "./FormFooter"
import { t, when } from "../i18n"
import { readsTargets, setsTargets } from "./access"
import { NotForRole } from "./NotForRole"
import { indicatorName, parsePercent, targetText } from "./format"
import type { CatalogueIndicator, EffectiveTarget, FullCampaign, TargetSource } from "./types"

type UnitWithChildren = Unit & { children: Unit[] }

const GOVERNMENT = [1, 2, 3, 4, 5]

export function Targets() {
  const me = session.value!.user
  if (!readsTargets(me.role)) return <NotForRole title={t("targets.title")} />
  return <TargetsScreen />
}

function TargetsScreen() {
  const me = session.value!.user
  const params = new URLSearchParams(route.value.split("?")[1] ?? "")
  const provinces = useCached<Unit[]>(me.scope_unit ? null : "/api/v1/units?level=province")
  const code = params.get("unit") || me.scope_unit || provinces.data?.[0]?.code || null
  const picked = params.get("campaign")
  const unit = useCached<UnitWithChildren>(code ? `/api/v1/units/${encodeURIComponent(code)}` : null)
  const parentCode = unit.data?.parent_code && code !== me.scope_unit ? unit.data.parent_code : null
  const parent = useCached<Unit>(parentCode ? `/api/v1/units/${encodeURIComponent(parentCode)}` : null)
  // The user's own unit, always offered (a way back from a unit outside their area).
  const home = me.scope_unit && me.scope_unit !== code && me.scope_unit !== parentCode ? me.scope_unit : null
  const homeUnit = useCached<Unit>(home ? `/api/v1/units/${encodeURIComponent(home)}` : null)
  const campaigns = useCached<FullCampaign[]>("/api/v1/campaigns")
  const catalogue = useCached<CatalogueIndicator[]>("/api/v1/indicators")
  const campaignId = picked ? Number(picked) : (campaigns.data?.find((c) => c.current)?.id ?? null)
  const targets = useCached<EffectiveTarget[]>(
    code ? `/api/v1/units/${encodeURIComponent(code)}/targets${campaignId !== null ? `?campaign=${campaignId}` : ""}` : null,
  )
  const [editing, setEditing] = useState<number | null>(null)
  const [notice, setNotice] = useState<{ id: number; text: string; warn: boolean } | null>(null)
  const edits = setsTargets(me.role)
  const campaign = campaigns.data?.find((c) => c.id === campaignId) ?? null

  const to = (next: { unit?: string; campaign?: number | null }) => {
    const q = new URLSearchParams()
    const u = next.unit ?? code
    if (u) q.set("unit", u)
    const c = next.campaign === undefined ? picked : next.campaign
    if (c !== null && c !== undefined && c !== "") q.set("campaign", String(c))
    setEditing(null)
    setNotice(null)
    go(`/targets?${q}`, true)
  }

  /** A unit's name when this screen knows it: the unit, its parent, its children. */
  const unitName = (c: string | null) => {
    if (!c) return ""
    const known = [unit.data, parent.data, homeUnit.data, ...(unit.data?.children ?? []), ...(provinces.data ?? [])].find((u) => u?.code === c)
    return known?.name ?? t("targets.unit_above", { code: c })
  }
  const campaignName = (id: number | null) => campaigns.data?.find((c) => c.id === id)?.name ?? t("targets.campaign_n", { id: id ?? "" })
  const sourceText = (s: TargetSource) =>
    t(`targets.source.${s.kind}`, { unit: s.unit_name || unitName(s.unit_code), campaign: campaignName(s.campaign_id) })

  const onSaved = async (id: number, wanted: number) => {
    setEditing(null)
    await targets.reload()
    // What is in force now (read again): a more specific override may still win.
    const fresh = await api<EffectiveTarget[]>(
      `/api/v1/units/${encodeURIComponent(code!)}/targets${campaignId !== null ? `?campaign=${campaignId}` : ""}`,
    ).catch(() => null)
    const now = fresh?.find((x) => x.indicator_id === id)
    if (now && Math.abs(now.target - wanted) > 1e-9) setNotice({ id, text: t("targets.shadowed", { text: now.text, source: sourceText(now.source) }), warn: true })
    else setNotice({ id, text: t("targets.saved", { text: targetText(wanted) }), warn: false })
  }

  const children = (unit.data?.children ?? []).filter((u) => u.status === "active")
  const siblings = !me.scope_unit && unit.data?.level === "province" ? (provinces.data ?? []).filter((p) => p.code !== code) : []
  const ids = catalogue.data?.map((i) => i.id) ?? Array.from({ length: 16 }, (_, i) => i + 1)
  const section = (id: number) => catalogue.data?.find((i) => i.id === id)?.section ?? (GOVERNMENT.includes(id) ? "government" : "people")

  return (
    <>
      <Header title={t("targets.title")} back />
      <section class="section controls">
        <label class="field">
          <span class="field-label">{t("targets.unit")}</span>
          <select name="unit" value={code ?? ""} onChange={(e) => to({ unit: e.currentTarget.value })}>
            {home && <option value={home}>{homeUnit.data?.name ?? home}</option>}
            {parentCode && <option value={parentCode}>{t("targets.parent", { name: parent.data?.name ?? parentCode })}</option>}
            {siblings.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
            {code && <option value={code}>{unit.data?.name ?? code}</option>}
            {children.map((u) => (
              <option key={u.code} value={u.code}>
                — {u.name}
              </option>
            ))}
          </select>
        </label>
        {campaigns.data && campaigns.data.length > 0 && (
          <label class="field">
            <span class="field-label">{t("targets.campaign")}</span>
            <select name="campaign" value={campaignId ?? ""} onChange={(e) => to({ campaign: Number(e.currentTarget.value) })}>
              {campaigns.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.current ? t("targets.campaign_current", { name: c.name }) : c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {campaigns.data && campaigns.data.length === 0 && <p class="muted small">{t("targets.no_campaign")}</p>}
      </section>
      <p class="pad muted small">{t("targets.intro")}</p>
      {!edits && (
        <p class="pad small" data-testid="targets-read-only">
          {t("targets.read_only")}
        </p>
      )}
      {targets.offline && <p class="muted pad small">{t("cache.offline")}</p>}
      {targets.failure && (
        <div class="pad">
          <ErrorNote error={targets.failure} />
        </div>
      )}
      {!targets.data && !targets.failure && <p class="muted pad">{t("loading")}</p>}
      {targets.data &&
        (["government", "people"] as const).map((s) => (
          <div key={s}>
            <h2 class="pad console-section-title">{t(`targets.section.${s}`)}</h2>
            {ids
              .filter((id) => section(id) === s)
              .map((id) => {
                const e = targets.data!.find((x) => x.indicator_id === id)
                if (!e) return null
                return (
                  <section key={id} class="section target" data-indicator={id} data-testid="target">
                    <h3>{indicatorName(id, catalogue.data)}</h3>
                    <div class="target-row">
                      <p class="target-text" data-testid="target-text">
                        {e.text}
                      </p>
                      {edits && code && editing !== id && (
                        <button type="button" class="btn" name="edit-target" aria-label={t("targets.edit")} onClick={() => (setEditing(id), setNotice(null))}>
                          {t("targets.change")}
                        </button>
                      )}
                    </div>
                    <p class="small" data-testid="target-source" data-kind={e.source.kind}>
                      {sourceText(e.source)}
                      {e.source.set_by && (
                        <span class="muted"> · {t("targets.set_by", { name: e.source.set_by_name || e.source.set_by, when: when(e.source.set_at!) })}</span>
                      )}
                    </p>
                    {notice?.id === id && (
                      <p class={`banner ${notice.warn ? "warn" : "ok"}`} role="status" data-testid="target-notice">
                        {notice.text}
                      </p>
                    )}
                    {edits && code && editing === id && (
                      <TargetForm
                        id={id}
                        unitCode={code}
                        unitName={unit.data?.name ?? code}
                        campaign={campaign}
                        admin={me.role === "admin"}
                        current={e.target}
                        onCancel={() => setEditing(null)}
                        onSaved={(v) => onSaved(id, v)}
                      />
                    )}
                    <details class="target-history" data-testid="target-history" open={notice?.id === id}>
                      <summary>{t("targets.history", { n: e.history.length })}</summary>
                      {e.history.length === 0 ? (
                        <p class="muted small">{t("targets.history_empty")}</p>
                      ) : (
                        <ul class="console-history">
                          {e.history.map((h, i) => {
                            const inForce = h.source.set_at === e.source.set_at && h.source.kind === e.source.kind && h.target === e.target
                            return (
                              <li key={i} data-kind={h.source.kind}>
                                <span class="history-value">
                                  <strong>{h.text}</strong>
                                  {inForce && <span class="tag can-edit">{t("targets.in_force")}</span>}
                                </span>
                                <span class="small">{sourceText(h.source)}</span>
                                {h.source.set_by && (
                                  <span class="small muted">{t("targets.set_by", { name: h.source.set_by_name || h.source.set_by, when: when(h.source.set_at!) })}</span>
                                )}
                              </li>
                            )
                          })}
                        </ul>
                      )}
                    </details>
                  </section>
                )
              })}
          </div>
        ))}
    </>
  )
}

type Scope = "unit" | "unit_campaign" | "campaign"

interface FormProps {
  id: number
  unitCode: string
  unitName: string
  campaign: FullCampaign | null
  admin: boolean
  current: number
  onCancel: () => void
  onSaved: (target: number) => Promise<void>
}

function TargetForm({ id, unitCode, unitName, campaign, admin, current, onCancel, onSaved }: FormProps) {
  const [text, setText] = useState(String(Math.round(current * 10000) / 100).replace(".", ","))
  const [scope, setScope] = useState<Scope>("unit")
  const [tried, setTried] = useState(false)
  const [failure, setFailure] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const value = parsePercent(text)
  const problem = tried && value === null ? t("targets.err.percent") : null
  const scopes: Scope[] = campaign ? (admin ? ["unit", "unit_campaign", "campaign"] : ["unit", "unit_campaign"]) : ["unit"]

  async function save(e: Event) {
    e.preventDefault()
    setFailure(null)
    setTried(true)
    if (value === null) return
    const body: Record<string, unknown> = { indicator_id: id, target: value }
    if (scope !== "campaign") body.unit_code = unitCode
    if (scope !== "unit" && campaign) body.campaign_id = campaign.id
    setBusy(true)
    try {
      await api("/api/v1/targets", { method: "POST", body })
      await onSaved(value)
    } catch (err) {
      setFailure(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="target-form" onSubmit={save} noValidate>
      <label class="field">
        <span class="field-label">{t("targets.percent")}</span>
        <span class="percent-row">
          <input name="target" inputMode="decimal" autoComplete="off" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <span aria-hidden="true">%</span>
        </span>
        <span class="small muted">{t("targets.percent_hint")}</span>
      </label>
      {value !== null && (
        <p class="small" data-testid="target-preview">
          {t("targets.preview", { text: targetText(value) })}
        </p>
      )}
      {scopes.length > 1 && (
        <div class="console-choices" role="radiogroup" aria-label={t("targets.scope")}>
          <span class="field-label">{t("targets.scope")}</span>
          {scopes.map((s) => (
            <button key={s} type="button" role="radio" aria-checked={scope === s} class={scope === s ? "on" : ""} data-scope={s} onClick={() => setScope(s)}>
              {t(`targets.scope.${s}`, { unit: unitName, campaign: campaign?.name ?? "" })}
            </button>
          ))}
        </div>
      )}
      <FormFooter
        problem={problem}
        problemId="target-problem"
        failure={failure}
        busy={busy}
        onCancel={onCancel}
        saveName="save-target"
        save={t("targets.save")}
        saving={t("targets.saving")}
      />
    </form>
  )
}
