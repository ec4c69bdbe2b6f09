// Team lead: give villages or some of their households to members, follow progress per member and
// per village, and see who has not synced today.
import { useEffect, useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import type { Assignment, DeviceSession, Unit, User } from "../api/types"
import { useCached } from "../hooks/useCached"
import { engine } from "../sync/engine"
import { householdRows } from "../survey/read"
import { Header } from "../components/Header"
import { date, num, t, when } from "../i18n"

const startOfToday = () => new Date(new Date().toDateString()).getTime()

export function Team() {
  const me = session.value!.user
  const scope = me.scope_unit ?? ""
  const users = useCached<User[]>("/api/v1/users")
  const unit = useCached<Unit & { children: Unit[] }>(`/api/v1/units/${encodeURIComponent(scope)}`)
  const assignments = useCached<Assignment[]>(`/api/v1/assignments?unit=${encodeURIComponent(scope)}`)
  const members = (users.data ?? []).filter((u) => (u.role === "enumerator" || u.role === "team_lead") && !u.disabled)
  const villages = (unit.data?.children ?? []).filter((u) => u.level === "village" && u.status === "active")
  const list = assignments.data ?? []
  return (
    <>
      <Header title={t("team.title")} />
      {(users.offline || assignments.offline) && <p class="muted pad small">{t("cache.offline")}</p>}

      <section class="section">
        <h2>{t("team.by_village")}</h2>
        <VillageProgress villages={villages} assignments={list} />
      </section>

      <section class="section">
        <h2>{t("team.by_member")}</h2>
        <ul class="rows compact">
          {members.map((u) => {
            const mine = list.filter((a) => a.assignee_id === u.id)
            const total = mine.reduce((n, a) => n + a.progress.households_total, 0)
            const visited = mine.reduce((n, a) => n + a.progress.households_visited, 0)
            return (
              <li key={u.id} data-member={u.username}>
                <div class="row">
                  <span class="row-main">
                    <strong>{u.display_name || u.username}</strong>
                    <span class="muted small">{mine.map((a) => a.village_name + (a.household_ids ? ` (${num(a.household_ids.length)})` : "")).join(", ") || t("team.nothing_assigned")}</span>
                  </span>
                  <span class="row-side small">{t("village.visited_of", { visited, total })}</span>
                </div>
                {mine.map((a) => (
                  <div class="sub small muted" key={a.id}>
                    {a.village_name}
                    {a.due_date ? ` · ${t("assign.due", { date: date(a.due_date) })}` : ""}
                    <button
                      type="button"
                      class="link"
                      onClick={async () => {
                        await api(`/api/v1/assignments/${a.id}`, { method: "DELETE" }).catch(() => {})
                        void assignments.reload()
                      }}
                    >
                      {t("team.unassign")}
                    </button>
                  </div>
                ))}
              </li>
            )
          })}
        </ul>
      </section>

      <section class="section">
        <h2>{t("team.not_synced_today")}</h2>
        <NotSyncedToday members={members} />
      </section>

      <AssignForm members={members} villages={villages} onDone={assignments.reload} />
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
        const people = assignments.filter((a) => a.village_code === u.code).map((a) => a.assignee_username)
        return (
          <li key={u.code} data-village={u.code}>
            <div class="row">
              <span class="row-main">
                <strong>{u.name}</strong>
                <span class="muted small">{people.length ? [...new Set(people)].join(", ") : t("team.unassigned")}</span>
              </span>
              <span class="row-side small">{t("village.visited_of", { visited, total })}</span>
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

function NotSyncedToday({ members }: { members: User[] }) {
  const [seen, setSeen] = useState<Record<number, string | null> | null>(null)
  const ids = members.map((m) => m.id).join(",")
  useEffect(() => {
    let live = true
    // A device session's last_seen_at moves on every login, refresh and sync connection.
    void Promise.all(
      members.map(async (m) => {
        const sessions = await api<DeviceSession[]>(`/api/v1/users/${m.id}/sessions`).catch(() => null)
        if (!sessions) return [m.id, undefined] as const
        const last = sessions.map((s) => s.last_seen_at).filter((x): x is string => !!x).sort().pop() ?? null
        return [m.id, last] as const
      }),
    ).then((pairs) => live && setSeen(Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as Record<number, string | null>))
    return () => {
      live = false
    }
  }, [ids])
  if (!seen) return <p class="muted">{t("loading")}</p>
  const late = members.filter((m) => m.id in seen && (!seen[m.id] || new Date(seen[m.id]!).getTime() < startOfToday()))
  if (!late.length) return <p class="muted">{t("team.all_synced_today")}</p>
  return (
    <ul class="rows compact">
      {late.map((m) => (
        <li key={m.id} class="row" data-late={m.username}>
          <strong>{m.display_name || m.username}</strong>
          <span class="muted small">{seen[m.id] ? t("sync.last", { when: when(seen[m.id]!) }) : t("sync.never")}</span>
        </li>
      ))}
    </ul>
  )
}

function AssignForm({ members, villages, onDone }: { members: User[]; villages: Unit[]; onDone: () => void }) {
  const [assignee, setAssignee] = useState("")
  const [village, setVillage] = useState("")
  const [whole, setWhole] = useState(true)
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [due, setDue] = useState("")
  const [note, setNote] = useState("")
  const [message, setMessage] = useState<string | null>(null)
  const e = engine.value
  void e?.docTick.value
  const doc = Object.values(e?.villages.value ?? {}).find((v) => v.entry.unit_code === village)
  const rows = doc?.state === "ready" ? householdRows(doc.handle.doc()) : []
  const submit = async (ev: Event) => {
    ev.preventDefault()
    setMessage(null)
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
      setMessage(`${t("assign.failed")}: ${err instanceof Error ? err.message : String(err)}`)
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
              {m.display_name || m.username} ({m.username})
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
      <button type="submit" class="btn primary big" disabled={!assignee || !village || (!whole && !picked.size)}>
        {t("assign.submit")}
      </button>
    </form>
  )
}
