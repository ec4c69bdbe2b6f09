// The first screen: my assignments (enumerator) or the commune's villages (team lead, commune).
// A member sees first what the lead sent back for a fix ("Cần sửa"); a lead, what waits for
// review (fields set differently on two phones, open send-backs).
import { useEffect } from "preact/hooks"
import { engine } from "../sync/engine"
import { Reminders } from "../components/Reminders"
import { session } from "../api/session"
import type { Assignment, Conflict, SendBack } from "../api/types"
import type { Village } from "../sync/engine"
import { conflictsPath, isReviewer, reviewSummary, SEND_BACKS, useShared } from "../review/shared"
import { useCached } from "../hooks/useCached"
import { VillageCard } from "../components/VillageCard"
import { assignedHouseholds, str } from "../survey/read"
import { Header } from "../components/Header"
import { num, t, when } from "../i18n"

export function Home() {
  const user = session.value!.user
  const e = engine.value
  void e?.docTick.value // re-render on document changes
  const assignments = useCached<Assignment[]>(user.role === "enumerator" ? "/api/v1/me/assignments" : null)
  const sendBacks = useShared<SendBack[]>(user.role === "enumerator" || isReviewer(user) ? SEND_BACKS : null)
  const conflicts = useShared<Conflict[]>(conflictsPath(user))
  const villages = Object.values(e?.villages.value ?? {})
  const byCode = new Map(villages.map((v) => [v.entry.unit_code, v]))
  // A new assignment brings a village document this phone does not have yet: fetch the list.
  const missing = (assignments.data ?? []).some((a) => !byCode.has(a.village_code))
  useEffect(() => {
    if (missing) void e?.refreshDocuments()
  }, [missing, assignments.at, e])
  if (user.role === "enumerator") {
    const list = assignments.data ?? []
    // One card per village, even with several assignments in it.
    const seen = new Set<string>()
    const cards = list.filter((a) => !seen.has(a.village_code) && seen.add(a.village_code))
    // A village taken off my list that still holds changes the server has not confirmed stays
    // on screen (marked) until they are sent, whatever the fresh list of assignments says.
    const removed = villages.filter((v) => v.entry.removed && !seen.has(v.entry.unit_code))
    return (
      <>
        <Header title={t("home.my_work")} />
        <Reminders />
        <p class="muted pad">{t("home.hello", { name: user.display_name })}</p>
        {assignments.offline && assignments.at && <p class="muted pad small">{t("cache.offline")}</p>}
        <ToFix list={sendBacks.data ?? []} villages={byCode} offline={sendBacks.offline && !assignments.offline} />
        <div class="cards">
          {cards.map((a) => (
            <VillageCard
              key={a.id}
              name={a.village_name}
              assignment={a}
              village={byCode.get(a.village_code)}
              assigned={assignedHouseholds(list, a.village_code)}
              me={user.username}
            />
          ))}
          {removed.map((v) => (
            <VillageCard key={v.entry.document_id} name={v.entry.unit_name} village={v} />
          ))}
          {!cards.length && !removed.length && <p class="empty">{assignments.data ? t("home.no_assignments") : t("loading")}</p>}
        </div>
      </>
    )
  }
  return (
    <>
      <Header title={t("home.villages")} />
      <Reminders />
      <p class="muted pad">{t("home.hello", { name: user.display_name })}</p>
      {isReviewer(user) && <ReviewCard conflicts={conflicts.data?.length} sendBacks={sendBacks.data?.length} offline={conflicts.offline} />}
      <div class="cards">
        {villages.map((v) => (
          <VillageCard key={v.entry.document_id} name={v.entry.unit_name} village={v} />
        ))}
        {!villages.length && <p class="empty">{e?.docsError.value ? t("home.no_villages_offline") : t("home.no_villages")}</p>}
      </div>
    </>
  )
}

/** The member's "Cần sửa (n)": records the lead sent back, each opening the household or person. */
function ToFix({ list, villages, offline }: { list: SendBack[]; villages: Map<string, Village>; offline: boolean }) {
  if (!list.length) return null
  return (
    <section class="section to-fix" data-testid="to-fix">
      <h2>{t("home.to_fix", { n: list.length })}</h2>
      {offline && <p class="muted small">{t("cache.offline")}</p>}
      <ul class="rows compact">
        {list.map((s) => {
          const v = villages.get(s.village_code)
          const doc = v?.state === "ready" ? v.handle.doc() : undefined
          const h = doc?.households?.[s.household_id]
          const head = (h && str(h.head_name)) || s.head_name || t("household.no_name")
          const person = s.person_id ? str(h?.persons?.[s.person_id]?.full_name) || t("person.no_name") : null
          const href = v ? `#/v/${v.entry.document_id}/h/${s.household_id}${s.person_id ? `/p/${s.person_id}` : ""}` : undefined
          const body = (
            <span class="row-main">
              <strong>{person ? `${person} · ${head}` : head}</strong>
              <span class="comment">{s.comment}</span>
              <span class="small muted wrap">
                {s.village_name} · {t("sendback.from", { name: s.created_by_name, when: when(s.created_at) })}
              </span>
            </span>
          )
          return (
            <li key={s.id} data-send-back={s.id}>
              {href ? (
                <a class="row" href={href}>
                  {body}
                  <span class="chev" aria-hidden="true">
                    ›
                  </span>
                </a>
              ) : (
                <div class="row">{body}</div>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}

/** The lead's count of what waits for review, opening the review screen. */
function ReviewCard({ conflicts, sendBacks, offline }: { conflicts?: number; sendBacks?: number; offline: boolean }) {
  return (
    <div class="cards review-card">
      <a class="card" href="#/review" data-testid="review-card">
        <div class="card-title">
          <strong>{t("review.title")}</strong>
          {!!conflicts && (
            <span class="tag warn nums" data-testid="conflict-count">
              {t("review.conflicts_short", { n: num(conflicts) })}
            </span>
          )}
        </div>
        <div class="card-line">{reviewSummary(conflicts, sendBacks)}</div>
        {offline && <div class="card-line small muted">{t("cache.offline")}</div>}
      </a>
    </div>
  )
}
