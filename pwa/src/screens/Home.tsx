// The first screen: my assignments (enumerator) or the commune's villages (team lead, commune).
import { useEffect } from "preact/hooks"
import { engine } from "../sync/engine"
import { Reminders } from "../components/Reminders"
import { session } from "../api/session"
import type { Assignment } from "../api/types"
import { useCached } from "../hooks/useCached"
import { VillageCard } from "../components/VillageCard"
import { assignedHouseholds } from "../survey/read"
import { Header } from "../components/Header"
import { t } from "../i18n"

export function Home() {
  const user = session.value!.user
  const e = engine.value
  void e?.docTick.value // re-render on document changes
  const assignments = useCached<Assignment[]>(user.role === "enumerator" ? "/api/v1/me/assignments" : null)
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
      <div class="cards">
        {villages.map((v) => (
          <VillageCard key={v.entry.document_id} name={v.entry.unit_name} village={v} />
        ))}
        {!villages.length && <p class="empty">{e?.docsError.value ? t("home.no_villages_offline") : t("home.no_villages")}</p>}
      </div>
    </>
  )
}
