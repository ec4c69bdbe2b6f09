// Team lead / commune officer: the members of the commune's team (villages, phones, last sync,
// locked or disabled), adding members one by one or from a file, progress per village, who has
// not synced today, and giving villages or some of their households to members.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import type { Assignment, Conflict, SendBack, TeamMember, Unit } from "../api/types"
import { useCached } from "../hooks/useCached"
import { conflictsPath, reviewSummary, SEND_BACKS, useShared } from "../review/shared"
import { engine } from "../sync/engine"
import { householdRows } from "../survey/read"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { canManage, isLocked, liveDevices, personName, teamHref, useTeam } from "../team/team"
import { num, t, when } from "../i18n"

const startOfToday = () => new Date(new Date().toDateString()).getTime()

export function Team() {
  const me = session.value!.user
  const { unit: code, team } = useTeam()
  const unit = useCached<Unit & { children: Unit[] }>(code ? `/api/v1/units/${encodeURIComponent(code)}` : null)
  const assignments = useCached<Assignment[]>(code ? `/api/v1/assignments?unit=${encodeURIComponent(code)}` : null)
  const all = team.data?.members ?? []
  const active = all.filter((m) => !m.disabled)
  const villages = (unit.data?.children ?? []).filter((u) => u.level === "village" && u.status === "active")
  const list = assignments.data ?? []
  const manages = canManage(me, "enumerator")
  const reload = () => {
    void assignments.reload()
    void team.reload()
  }
  return (
    <>
      <Header title={t("team.title")} />
      {team.data && <p class="muted pad small">{team.data.unit.name}</p>}
      {(team.offline || assignments.offline) && <p class="muted pad small">{t("cache.offline")}</p>}
      {team.failure && !team.data && (
        <div class="pad">
          <ErrorNote error={team.failure} />
        </div>
      )}

      <ReviewLink />

      {manages && (
        <div class="actions pad">
          <a class="btn primary" href={teamHref("/team/new", code)} data-action="add-member">
            + {t("team.add")}
          </a>
          <a class="btn" href={teamHref("/team/import", code)} data-action="import">
            {t("team.import")}
          </a>
        </div>
      )}

      <section class="section">
        <h2>{t("team.members", { n: all.length })}</h2>
        {!team.data && !team.error && <p class="muted">{t("loading")}</p>}
        <ul class="rows members">
          {all.map((m) => (
            <MemberRow key={m.id} m={m} assignments={list} />
          ))}
        </ul>
      </section>

      <section class="section">
        <h2>{t("team.by_village")}</h2>
        <VillageProgress villages={villages} assignments={list} />
      </section>

      <section class="section">
        <h2>{t("team.not_synced_today")}</h2>
        <NotSyncedToday members={active} loaded={!!team.data} />
      </section>

      <AssignForm members={active} villages={villages} onDone={reload} />
    </>
  )
}

/** What waits for the lead's review, opening "Rà soát". */
function ReviewLink() {
  const me = session.value!.user
  const conflicts = useShared<Conflict[]>(conflictsPath(me))
  const sendBacks = useShared<SendBack[]>(SEND_BACKS)
  if (!conflictsPath(me)) return null
  const n = conflicts.data?.length
  return (
    <ul class="rows review-link">
      <li>
        <a class="row" href="#/review" data-action="review">
          <span class="row-main">
            <strong>{t("review.title")}</strong>
            <span class="small muted wrap">{reviewSummary(n, sendBacks.data?.length)}</span>
          </span>
          {!!n && (
            <span class="tag warn nums" data-testid="team-conflicts">
              {num(n)}
            </span>
          )}
          <span class="chev" aria-hidden="true">
            ›
          </span>
        </a>
      </li>
    </ul>
  )
}

/** "Thôn 1 (cả thôn), Thôn 2 (12 hộ)" */
export function assignedText(m: TeamMember): string {
  return (
    m.assignments
      .map((a) => `${a.village_name} (${a.household_count === null ? t("team.whole") : t("team.households_n", { n: a.household_count })})`)
      .join(", ") || t("team.nothing_assigned")
  )
}

function MemberRow({ m, assignments }: { m: TeamMember; assignments: Assignment[] }) {
  const mine = assignments.filter((a) => a.assignee_id === m.id)
  const total = mine.reduce((n, a) => n + a.progress.households_total, 0)
  const visited = mine.reduce((n, a) => n + a.progress.households_visited, 0)
  const devices = liveDevices(m).length
  return (
    <li data-member={m.username} class={m.disabled ? "off" : ""}>
      <a class="row" href={teamHref(`/team/m/${m.id}`)}>
        <span class="row-main">
          <span class="name-line">
            <strong>{m.display_name}</strong>
            <Badges m={m} />
          </span>
          <span class="muted small">{[m.phone, assignedText(m)].filter(Boolean).join(" · ")}</span>
          <span class="small" data-testid="member-sync">
            {t("team.devices_n", { n: devices })} ·{" "}
            {m.last_sync_at ? t("sync.last", { when: when(m.last_sync_at) }) : <span class="warn">{t("team.never_synced")}</span>}
          </span>
        </span>
        {mine.length > 0 && <span class="row-side small nums">{t("team.visited_short", { visited: num(visited), total: num(total) })}</span>}
        <span class="chev" aria-hidden="true">
          ›
        </span>
      </a>
    </li>
  )
}

export function Badges({ m }: { m: TeamMember }) {
  return (
    <>
      {m.role === "team_lead" && <span class="tag">{t("role.team_lead")}</span>}
      {isLocked(m) && (
        <span class="tag warn" data-badge="locked">
          {t("team.locked")}
        </span>
      )}
      {m.disabled && (
        <span class="tag danger" data-badge="disabled">
          {t("team.disabled")}
        </span>
      )}
    </>
  )
}

function VillageProgress({ villages, assignments }: { villages: Unit[]; assignments: Assignment[] }) {
  const e = engine.value
  void e?.docTick.value
  const byCode = new Map(Object.values(e?.villages.value ?? {}).map((v) => [v.entry.unit_code, v]))
  return (
    <ul class="rows compact">
      {villages.map((u) => {
        // This phone's copy when it has one (current even offline), else the server's counts.
        const v = byCode.get(u.code)
        const rows = v?.state === "ready" ? householdRows(v.handle.doc()) : null
        const fromServer = assignments.filter((a) => a.village_code === u.code && !a.household_ids)[0]?.progress
        const total = rows?.length ?? fromServer?.households_total ?? 0
        const visited = rows?.filter((r) => r.status).length ?? fromServer?.households_visited ?? 0
        const people = [...new Set(assignments.filter((a) => a.village_code === u.code).map((a) => a.assignee_username))].map(personName)
        return (
          <li key={u.code} data-village={u.code}>
            <div class="row">
              <span class="row-main">
                <strong>{u.name}</strong>
                <span class="muted small wrap">{people.length ? people.join(", ") : t("team.unassigned")}</span>
              </span>
              <span class="row-side small nums">{t("village.visited_of", { visited, total })}</span>
            </div>
            <div class="meter" aria-hidden="true">
              <span style={{ width: total ? `${(100 * visited) / total}%` : "0" }} />
            </div>
          </li>
        )
      })}
    </ul>
  )
}

function NotSyncedToday({ members, loaded }: { members: TeamMember[]; loaded: boolean }) {
  if (!loaded) return <p class="muted">{t("loading")}</p>
  const late = members.filter((m) => !m.last_sync_at || Date.parse(m.last_sync_at) < startOfToday())
  if (!late.length) return <p class="muted">{t("team.all_synced_today")}</p>
  return (
    <ul class="rows compact">
      {late.map((m) => (
        <li key={m.id} class="row" data-late={m.username}>
          <strong>{m.display_name}</strong>
          <span class="muted small">{m.last_sync_at ? t("sync.last", { when: when(m.last_sync_at) }) : t("team.never_synced")}</span>
        </li>
      ))}
    </ul>
  )
}

function AssignForm({ members, villages, onDone }: { members: TeamMember[]; villages: Unit[]; onDone: () => void }) {
  const [assignee, setAssignee] = useState("")
  const [village, setVillage] = useState("")
  const [whole, setWhole] = useState(true)
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [due, setDue] = useState("")
  const [note, setNote] = useState("")
  const [message, setMessage] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const e = engine.value
  void e?.docTick.value
  const doc = Object.values(e?.villages.value ?? {}).find((v) => v.entry.unit_code === village)
  const rows = doc?.state === "ready" ? householdRows(doc.handle.doc()) : []
  const submit = async (ev: Event) => {
    ev.preventDefault()
    setMessage(null)
    setError(null)
    try {
      await api<Assignment>("/api/v1/assignments", {
        method: "POST",
        body: {
          village_code: village,
          assignee, // a username
          ...(whole ? {} : { household_ids: [...picked] }),
          ...(due ? { due_date: due } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      })
      setMessage(t("assign.done"))
      setPicked(new Set())
      onDone()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form class="section form" onSubmit={submit} name="assign">
      <h2>{t("assign.title")}</h2>
      <label class="field">
        <span class="field-label">{t("assign.member")}</span>
        <select name="assignee" value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)} required>
          <option value="">—</option>
          {members.map((m) => (
            <option value={m.username} key={m.id}>
              {m.display_name}
              {m.phone ? ` · ${m.phone}` : ""}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field-label">{t("assign.village")}</span>
        <select name="village" value={village} onChange={(e) => setVillage(e.currentTarget.value)} required>
          <option value="">—</option>
          {villages.map((u) => (
            <option value={u.code} key={u.code}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      {village && rows.length > 0 && (
        <label class="check">
          <input type="checkbox" name="whole" checked={whole} onChange={(e) => setWhole(e.currentTarget.checked)} />
          {t("assign.whole_village")}
        </label>
      )}
      {!whole && (
        <div class="picklist">
          {rows.map((r) => (
            <label class="check" key={r.id}>
              <input
                type="checkbox"
                data-household={r.id}
                checked={picked.has(r.id)}
                onChange={(e) => {
                  const next = new Set(picked)
                  if (e.currentTarget.checked) next.add(r.id)
                  else next.delete(r.id)
                  setPicked(next)
                }}
              />
              {r.head} <span class="muted small">{r.address}</span>
            </label>
          ))}
        </div>
      )}
      <label class="field">
        <span class="field-label">{t("assign.due_date")}</span>
        <input type="date" name="due_date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">{t("assign.note")}</span>
        <input name="note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {message && <p role="status">{message}</p>}
      <ErrorNote error={error} />
      <button type="submit" class="btn primary big" disabled={!assignee || !village || (!whole && !picked.size)}>
        {t("assign.submit")}
      </button>
    </form>
  )
}
