// The team lead's review ("Rà soát"): fields two phones set differently while offline, grouped by
// village and household, each value with who wrote it and when; the lead picks one (or keeps the
// one the phones show) and it is written into the village document from this phone, like any edit
// on the household screen: the server settles the conflict when that change arrives, and the list
// is fetched again once the server has acknowledged it. Then the open send-backs of the area
// ("Rút lại"), and the week's approval of each village when the server offers it.
import { signal } from "@preact/signals"
import { useState } from "preact/hooks"
import { api } from "../api/http"
import { session } from "../api/session"
import type { Conflict, SendBack, WeekApprovals } from "../api/types"
import { engine, type Village } from "../sync/engine"
import { settleField } from "../survey/write"
import { str } from "../survey/read"
import { conflictsPath, SEND_BACKS, useShared } from "../review/shared"
import { fieldLabel, localField, sameValue, valueText, type FieldValue } from "../review/fields"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { addMessages, date, num, t, when } from "../i18n"
import { reviewEn, reviewVi } from "../i18n/review"

addMessages({ vi: reviewVi, en: reviewEn })

/** Conflicts this phone has written a value for, until the server's list no longer has them. */
const picked = signal<Record<number, FieldValue>>({})

export function Review() {
  const me = session.value!.user
  const conflicts = useShared<Conflict[]>(conflictsPath(me))
  const sendBacks = useShared<SendBack[]>(SEND_BACKS)
  const e = engine.value
  void e?.docTick.value
  const list = conflicts.data ?? []
  // Forget picks the server has settled.
  const open = new Set(list.map((c) => c.id))
  if (conflicts.data && Object.keys(picked.peek()).some((id) => !open.has(Number(id)))) {
    picked.value = Object.fromEntries(Object.entries(picked.peek()).filter(([id]) => open.has(Number(id))))
  }
  return (
    <>
      <Header title={t("review.title")} />
      {(conflicts.offline || sendBacks.offline) && <p class="muted pad small">{t("cache.offline")}</p>}

      <section class="section" data-testid="conflicts">
        <h2>{t("review.conflicts", { n: num(list.length) })}</h2>
        <p class="muted small">{t("review.conflicts_intro")}</p>
        <ErrorNote error={conflicts.data ? null : conflicts.failure} />
        {!conflicts.data && !conflicts.failure && <p class="muted">{t("loading")}</p>}
        {conflicts.data && !list.length && (
          <p class="banner ok" data-testid="no-conflicts">
            {t("review.no_conflicts")}
          </p>
        )}
        {groupByVillage(list).map(([village, households]) => (
          <div key={village} class="review-village" data-village={households[0][1][0].village_code}>
            <h3>{village}</h3>
            {households.map(([hh, cs]) => (
              <HouseholdConflicts key={hh} conflicts={cs} village={e?.village(cs[0].document_id)} />
            ))}
          </div>
        ))}
      </section>

      <SendBacks list={sendBacks} />

      {me.scope_unit && <Approvals unit={me.scope_unit} />}
    </>
  )
}

/** Villages by name, households by head name, conflicts newest first within a household. */
function groupByVillage(list: Conflict[]): [string, [string, Conflict[]][]][] {
  const villages = new Map<string, Map<string, Conflict[]>>()
  for (const c of list) {
    const v = villages.get(c.village_name) ?? new Map<string, Conflict[]>()
    villages.set(c.village_name, v)
    v.set(c.household_id, [...(v.get(c.household_id) ?? []), c])
  }
  const collator = new Intl.Collator("vi")
  return [...villages.entries()]
    .sort((a, b) => collator.compare(a[0], b[0]))
    .map(([name, hs]) => [name, [...hs.entries()].sort((a, b) => collator.compare(a[1][0].head_name ?? "", b[1][0].head_name ?? ""))])
}

function HouseholdConflicts({ conflicts, village }: { conflicts: Conflict[]; village?: Village }) {
  const c0 = conflicts[0]
  const doc = village?.state === "ready" ? village.handle.doc() : undefined
  const h = doc?.households?.[c0.household_id]
  const head = (h && str(h.head_name)) || c0.head_name || t("household.no_name")
  return (
    <div class="review-household" data-household={c0.household_id}>
      {village ? (
        <a class="row" href={`#/v/${village.entry.document_id}/h/${c0.household_id}`}>
          <span class="row-main">
            <strong>{head}</strong>
            {h && <span class="muted small">{str(h.address)}</span>}
          </span>
          <span class="chev" aria-hidden="true">
            ›
          </span>
        </a>
      ) : (
        <p>
          <strong>{head}</strong>
        </p>
      )}
      {conflicts.map((c) => (
        <ConflictCard key={c.id} c={c} village={village} />
      ))}
    </div>
  )
}

function ConflictCard({ c, village }: { c: Conflict; village?: Village }) {
  const [failed, setFailed] = useState(false)
  const e = engine.value
  const doc = village?.state === "ready" ? village.handle.doc() : undefined
  const h = doc?.households?.[c.household_id]
  const local = doc ? localField(doc, c.household_id, c.field) : undefined
  // The values are written from this phone: it must hold the conflict itself (all the values),
  // or the write would be one more concurrent value instead of the last word.
  const here = !!local && local.values.length > 1 && c.candidates.every((x) => local.values.some((v) => sameValue(v, x.value)))
  const writable = village?.entry.access === "read_write"
  // Picked here (this session), or earlier and not sent yet: the field holds one value on this
  // phone and the household has changes the server has not confirmed.
  const pending = !!local && local.values.length <= 1 && !!village && !!e?.unsentHouseholds(village.entry.document_id).has(c.household_id)
  const chosen = c.id in picked.value || pending
  const choice = c.id in picked.value ? picked.value[c.id] : (local?.shown ?? null)
  const connected = !!e?.link.server.value
  // "đang hiển thị": what this phone shows (the server's word when this phone lacks the document).
  const isShown = (value: FieldValue, current: boolean) => (local ? sameValue(local.shown, value) : current)
  const pick = (value: FieldValue) => {
    const written = !!village && settleField(village.handle, c.household_id, c.field, value)
    setFailed(!written)
    if (!written) return
    picked.value = { ...picked.peek(), [c.id]: value }
  }
  return (
    <div class="conflict" data-conflict={c.id} data-field={c.field}>
      <p class="conflict-field">
        <strong>{fieldLabel(c.field, h)}</strong>
      </p>
      <ul class="candidates">
        {c.candidates.map((x, i) => {
          const shown = isShown(x.value, x.current)
          return (
            <li key={i} class={shown ? "candidate shown" : "candidate"} data-value={String(x.value)} data-current={shown ? "true" : "false"}>
              <span class="value">{valueText(c.field, x.value)}</span>
              {shown && <span class="tag ok">{t("review.current")}</span>}
              <span class="small muted who">
                {x.display_name ?? t("review.someone")}
                {x.at ? ` · ${when(x.at)}` : ""}
              </span>
              {!chosen && writable && (
                <button type="button" class={shown ? "btn" : "btn primary"} name={shown ? "keep" : "pick"} disabled={!here} onClick={() => pick(x.value)}>
                  {shown ? t("review.keep") : t("review.pick")}
                </button>
              )}
            </li>
          )
        })}
      </ul>
      {chosen && (
        <p class="small" role="status" data-testid="picked">
          {t(connected ? "review.picked" : "review.picked_offline", { value: valueText(c.field, choice) })}
        </p>
      )}
      {!chosen && writable && !here && <p class="small muted">{t(village ? "review.wait_sync" : "review.not_on_phone")}</p>}
      {!writable && village && <p class="small muted">{t("review.read_only")}</p>}
      {failed && (
        <p class="error" role="alert">
          {t("review.not_written")}
        </p>
      )}
    </div>
  )
}

function SendBacks({ list }: { list: ReturnType<typeof useShared<SendBack[]>> }) {
  const e = engine.value
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState<string | null>(null)
  const items = list.data ?? []
  const byCode = new Map(Object.values(e?.villages.value ?? {}).map((v) => [v.entry.unit_code, v]))
  const withdraw = async (s: SendBack) => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      await api(`/api/v1/send-backs/${s.id}`, { method: "DELETE" })
      setDone(t("sendback.withdrawn"))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
      void list.reload()
    }
  }
  return (
    <section class="section" data-testid="send-backs">
      <h2>{t("review.send_backs", { n: num(items.length) })}</h2>
      {list.data && !items.length && <p class="muted">{t("review.no_send_backs")}</p>}
      {done && (
        <p class="banner ok" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={error ?? (list.data ? null : list.failure)} context="sendback" />
      <ul class="rows send-back-list">
        {items.map((s) => {
          const v = byCode.get(s.village_code)
          const h = v?.state === "ready" ? v.handle.doc().households?.[s.household_id] : undefined
          const head = (h && str(h.head_name)) || s.head_name || t("household.no_name")
          const person = s.person_id ? str(h?.persons?.[s.person_id]?.full_name) || t("person.no_name") : null
          const href = v ? `#/v/${v.entry.document_id}/h/${s.household_id}${s.person_id ? `/p/${s.person_id}` : ""}` : undefined
          return (
            <li key={s.id} data-send-back={s.id}>
              <div class="row">
                <a class="row-main" href={href}>
                  <strong>{person ? `${person} · ${head}` : head}</strong>
                  <span class="comment">{s.comment}</span>
                  <span class="small muted wrap">
                    {s.village_name} · {t("sendback.from", { name: s.created_by_name, when: when(s.created_at) })}
                  </span>
                </a>
                <button type="button" class="btn small-touch" name="withdraw" disabled={busy} onClick={() => withdraw(s)}>
                  {t("sendback.withdraw")}
                </button>
              </div>
            </li>
          )
        })}
      </ul>
    </section>
  )
}

/**
 * The week's approval of each village of the commune (this week: the server's default). Shown only
 * when GET /units/{commune}/approvals answers (a server without it answers 404: nothing shown).
 */
function Approvals({ unit }: { unit: string }) {
  // Shared (review/shared.ts): fetched again when changes arrive, so "changed since" shows up.
  const approvals = useShared<WeekApprovals>(`/api/v1/units/${encodeURIComponent(unit)}/approvals`)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const data = approvals.data
  if (!data || !Array.isArray(data.villages)) return null
  const approve = async (village: string) => {
    setBusy(village)
    setError(null)
    try {
      await api(`/api/v1/units/${encodeURIComponent(village)}/approval`, { method: "POST", body: { week: data.week } })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(null)
      void approvals.reload()
    }
  }
  return (
    <section class="section" data-testid="approvals">
      <h2>{t("review.approvals", { date: date(data.week) })}</h2>
      {approvals.offline && <p class="muted small">{t("cache.offline")}</p>}
      <ErrorNote error={error} />
      <ul class="rows compact">
        {data.villages.map((v) => (
          <li key={v.village_code} class="row" data-approval={v.village_code} data-approved={v.approved ? "true" : "false"}>
            <span class="row-main">
              <strong>{v.village_name}</strong>
              {v.approved ? (
                <span class="small wrap">{t("review.approved_by", { name: v.approved_by_name ?? t("review.someone"), when: v.approved_at ? when(v.approved_at) : "" })}</span>
              ) : (
                <span class="small muted">{t("review.not_approved")}</span>
              )}
              {v.changed_since_approval && (
                <span class="small warn wrap" data-testid="changed-since-approval">
                  {t("review.changed")}
                </span>
              )}
            </span>
            {(!v.approved || v.changed_since_approval) && (
              <button type="button" class={v.approved ? "btn small-touch" : "btn primary small-touch"} name="approve" disabled={!!busy} onClick={() => approve(v.village_code)}>
                {v.approved ? t("review.approve_again") : t("review.approve")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
