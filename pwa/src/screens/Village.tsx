// A village's households: search without diacritics, filter by visit status, add a household.
// A member given only some households of the village sees those (and the ones they recorded),
// with a toggle to show the whole village.
// Built for 600 rows on a cheap phone: rows are computed once per document version
// (survey/read.ts) and the list is plain links.
import { signal } from "@preact/signals"
import { engine } from "../sync/engine"
import { session } from "../api/session"
import type { Assignment, SendBack } from "../api/types"
import { useCached } from "../hooks/useCached"
import { SEND_BACKS, useShared } from "../review/shared"
import { assignedHouseholds, householdRows, onlyAssigned, type HouseholdRow } from "../survey/read"
import { fold } from "../util/fold"
import { Header } from "../components/Header"
import { num, t } from "../i18n"
import { VISIT_OUTCOMES } from "../schema"

type Filter = "all" | "todo" | (typeof VISIT_OUTCOMES)[number]
const FILTERS: Filter[] = ["all", "todo", "come_back_later", "nobody_home", "refused", "surveyed"]

// Kept across navigation, so "back" from a household returns to the same search.
const query = signal("")
const filter = signal<Filter>("all")
const wholeVillage = signal(false)

export function Village({ doc }: { doc: string }) {
  const me = session.value!.user
  // The same cached answer as the home screen's: known offline too.
  const assignments = useCached<Assignment[]>(me.role === "enumerator" ? "/api/v1/me/assignments" : null)
  // Households sent back for a fix ("cần sửa"), marked in the list.
  const sendBacks = useShared<SendBack[]>(SEND_BACKS)
  const e = engine.value
  void e?.docTick.value
  const v = e?.village(doc)
  if (!v) return <Header title={t("village.unknown")} back />
  if (v.state !== "ready")
    return (
      <>
        <Header title={v.entry.unit_name} back />
        <p class="empty">{v.state === "loading" ? t("village.loading") : t("village.unavailable")}</p>
      </>
    )
  const all = householdRows(v.handle.doc())
  const assigned = assignedHouseholds(assignments.data, v.entry.unit_code)
  const mine = assigned ? onlyAssigned(all, assigned, me.username) : all
  const rows = assigned && !wholeVillage.value ? mine : all
  const q = fold(query.value)
  const words = q ? q.split(" ") : []
  const f = filter.value
  const shown = rows.filter((r) => matchesFilter(r, f) && words.every((w) => r.search.includes(w)))
  const unsent = e!.unsentHouseholds(doc)
  const counts = countByFilter(rows)
  const writable = v.entry.access === "read_write"
  const toFix = new Set((sendBacks.data ?? []).filter((s) => s.village_code === v.entry.unit_code).map((s) => s.household_id))
  return (
    <>
      <Header title={v.entry.unit_name} back />
      <div class="searchbar">
        <input
          type="search"
          name="search"
          placeholder={t("village.search")}
          value={query.value}
          onInput={(ev) => (query.value = ev.currentTarget.value)}
          aria-label={t("village.search")}
        />
      </div>
      {assigned && (
        <div class="seg pad scope" role="radiogroup" aria-label={t("village.scope")}>
          <button type="button" role="radio" aria-checked={!wholeVillage.value} class={wholeVillage.value ? "" : "on"} data-scope="assigned" onClick={() => (wholeVillage.value = false)}>
            {t("village.scope_assigned")} <span class="count">{num(mine.length)}</span>
          </button>
          <button type="button" role="radio" aria-checked={wholeVillage.value} class={wholeVillage.value ? "on" : ""} data-scope="all" onClick={() => (wholeVillage.value = true)}>
            {t("village.scope_all")} <span class="count">{num(all.length)}</span>
          </button>
        </div>
      )}
      <div class="chips" role="tablist">
        {FILTERS.map((x) => (
          <button type="button" role="tab" aria-selected={f === x} class={f === x ? "chip on" : "chip"} data-filter={x} onClick={() => (filter.value = x)}>
            {t(`filter.${x}`)} <span class="count">{num(counts[x])}</span>
          </button>
        ))}
      </div>
      <p class="muted pad small" data-testid="shown-count">
        {t("village.shown", { shown: shown.length, total: rows.length })}
      </p>
      <ul class="rows">
        {shown.map((r) => (
          <li key={r.id}>
            <a class="row" href={`#/v/${doc}/h/${r.id}`} data-household={r.id}>
              <span class="row-main">
                <strong>{r.head || t("household.no_name")}</strong>
                <span class="muted">{r.address}</span>
              </span>
              <span class="row-side">
                {toFix.has(r.id) && (
                  <span class="tag warn" data-badge="send-back">
                    {t("sendback.tag")}
                  </span>
                )}
                <span class={`status s-${r.status ?? "todo"}`}>{t(`outcome.${r.status ?? "todo"}`)}</span>
                <span class="muted small">
                  {t("household.members_n", { n: r.members })}
                  {unsent.has(r.id) && <span class="unsent-dot" title={t("sync.not_sent")} />}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ul>
      {writable && (
        <a class="fab" href={`#/v/${doc}/new`}>
          + {t("household.add")}
        </a>
      )}
    </>
  )
}

const matchesFilter = (r: HouseholdRow, f: Filter) => f === "all" || (f === "todo" ? !r.status : r.status === f)

function countByFilter(rows: HouseholdRow[]): Record<Filter, number> {
  const c = Object.fromEntries(FILTERS.map((f) => [f, 0])) as Record<Filter, number>
  for (const r of rows) for (const f of FILTERS) if (matchesFilter(r, f)) c[f]++
  return c
}
