// A village on the home screen: households recorded and visited (from this phone's copy, so it is
// right offline), the server's progress for an assignment, and whether everything is synced.
import type { Village } from "../sync/engine"
import type { Assignment } from "../api/types"
import { householdRows, onlyAssigned } from "../survey/read"
import { num, t, when, date } from "../i18n"

interface Props {
  village?: Village
  assignment?: Assignment
  name: string
  /** only these households were given to this member (household-level assignment) */
  assigned?: Set<string> | null
  /** whoever is signed in: the households they recorded count as theirs */
  me?: string
}

export function VillageCard({ village, assignment, name, assigned, me = "" }: Props) {
  const all = village?.state === "ready" ? householdRows(village.handle.doc()) : null
  const rows = all && assigned ? onlyAssigned(all, assigned, me) : all
  const visited = rows?.filter((r) => r.status).length ?? assignment?.progress.households_visited ?? 0
  const total = rows?.length ?? assignment?.progress.households_total ?? 0
  const href = village ? `#/v/${village.entry.document_id}` : undefined
  const body = (
    <>
      <div class="card-title">
        <strong>{name}</strong>
        {village?.entry.access === "read_only" && <span class="tag">{t("village.read_only")}</span>}
        {village?.entry.removed && <span class="tag warn">{t("village.removed")}</span>}
      </div>
      <div class="meter" aria-hidden="true">
        <span style={{ width: total ? `${(100 * visited) / total}%` : "0" }} />
      </div>
      <div class="card-line">{t("village.visited_of", { visited, total })}</div>
      {assigned && <div class="card-line muted">{t("assign.households_only", { n: assigned.size })}</div>}
      {assignment?.due_date && <div class="card-line muted">{t("assign.due", { date: date(assignment.due_date) })}</div>}
      {assignment?.note && <div class="card-line muted">{assignment.note}</div>}
      <div class="card-line small">
        {!village
          ? t("village.not_on_phone")
          : village.state === "loading"
            ? t("village.loading")
            : village.state === "unavailable"
              ? t("village.unavailable")
              : village.unsent
                ? t("sync.unsent", { n: num(village.unsent) })
                : village.lastSyncAt
                  ? t("sync.last", { when: when(village.lastSyncAt) })
                  : t("sync.never")}
      </div>
    </>
  )
  return href ? (
    <a class="card" href={href} data-village={village?.entry.unit_code}>
      {body}
    </a>
  ) : (
    <div class="card disabled">{body}</div>
  )
}
