// One unit (province, admin): its code, level, parent, status (active, merged into X, retired), the
// units under it and its history (created, moved, merged, retired). Merging picks the target by
// search among active units of the same level, and the confirmation says what moves (the units
// under it and the accounts attached to it); retiring asks first, and the server refuses a unit
// that still has active units under it — its reason is shown.
import { useEffect, useState } from "preact/hooks"
import { api, ApiError, OfflineError } from "../api/http"
import type { User } from "../api/types"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { Dialog } from "../components/Dialog"
import { date, num, t } from "../i18n"
import { enc, forgetUnitNames, levelWord, rememberUnits, sayProblem, shownCode, unitPath, type UnitDetail, type UnitEvent, type UnitInfo } from "./data"
import { moment, SearchBox, SearchNote, UnitRow, useUnitNames, useUnitSearch } from "./parts"

export function UnitPage({ code }: { code: string }) {
  const unit = useCached<UnitDetail>(unitPath(code))
  const [done, setDone] = useState<string | null>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const u = unit.data
  useEffect(() => {
    setDone(null)
    setFailure(null)
  }, [code])
  if (u) rememberUnits([u, ...u.children])
  const name = useUnitNames([u?.parent_code, u?.merged_into, ...(u?.history ?? []).flatMap((e) => [e.unit_code, e.old_parent, e.new_parent, e.other_unit])])
  if (!u) {
    return (
      <>
        <Header title={t("units.title")} back />
        {unit.offline ? <p class="banner">{t("err.offline")}</p> : unit.failure ? <Failure error={unit.failure} /> : <p class="empty">{t("loading")}</p>}
      </>
    )
  }
  const changed = async (message: string) => {
    forgetUnitNames()
    setFailure(null)
    setDone(message)
    await unit.reload()
  }
  return (
    <>
      <Header title={u.name} back />
      {unit.offline && <p class="banner">{t("cache.offline")}</p>}
      <section class="section" data-testid="unit" data-status={u.status}>
        <dl class="facts">
          <dt>{t("units.code")}</dt>
          <dd class="nums" data-testid="unit-code">
            {shownCode(u)}
            {codeSince(u)}
          </dd>
          <dt>{t("units.level")}</dt>
          <dd>{levelWord(u.level)}</dd>
          <dt>{t("units.parent")}</dt>
          <dd>{u.parent_code ? <a href={`#/units/${enc(u.parent_code)}`}>{name(u.parent_code)}</a> : "—"}</dd>
          <dt>{t("units.status")}</dt>
          <dd data-testid="unit-status">
            {u.status === "merged" && u.merged_into ? (
              <>
                {t("units.merged_into")} <a href={`#/units/${enc(u.merged_into)}`}>{name(u.merged_into)}</a>
                {u.retired_at ? ` ${t("units.on_day", { date: date(u.retired_at) })}` : ""}
              </>
            ) : u.status === "retired" ? (
              t("units.retired_on", { date: u.retired_at ? date(u.retired_at) : "?" })
            ) : (
              t(`units.status.${u.status}`)
            )}
          </dd>
        </dl>
      </section>

      {done && (
        <p class="banner ok pad-banner" role="status" data-testid="unit-done">
          {done}
        </p>
      )}
      {failure !== null && <Failure error={failure} />}

      <section class="section">
        <h2>{t("units.children", { n: num(u.children.length) })}</h2>
        {u.children.length ? (
          <ul class="rows flush" data-testid="children">
            {u.children.map((c) => (
              <UnitRow key={c.code} u={c} />
            ))}
          </ul>
        ) : (
          <p class="muted small">{t("units.no_children")}</p>
        )}
      </section>

      <History u={u} name={name} />

      {u.status === "active" && (
        <Changes
          u={u}
          onMerged={(into) => void changed(t("units.merged_done", { from: u.name, into: into.name }))}
          onRetired={() => void changed(t("units.retired_done", { name: u.name }))}
          onFailed={setFailure}
        />
      )}

      <section class="section">
        <ul class="rows compact flush">
          <li>
            <a class="row" href={`#/problems?unit=${enc(u.code)}`} data-link="problems">
              <span class="row-main">
                <strong class="wrap-text">{t("console.problems")}</strong>
              </span>
              <span class="chev">›</span>
            </a>
          </li>
          <li>
            <a class="row" href={`#/access-log?unit=${enc(u.code)}`} data-link="access-log">
              <span class="row-main">
                <strong class="wrap-text">{t("console.access_log")}</strong>
              </span>
              <span class="chev">›</span>
            </a>
          </li>
        </ul>
      </section>
    </>
  )
}

const HISTORY_SHOWN = 8

/** The unit's history, newest first; a long one shows its latest events until asked for all. */
function History({ u, name }: { u: UnitDetail; name: (c: string | null) => string }) {
  const [all, setAll] = useState(false)
  const events = [...u.history].reverse()
  return (
    <section class="section">
      <h2>{t("units.history")}</h2>
      {events.length ? (
        <ol class="unit-history" data-testid="unit-history">
          {events.slice(0, all ? undefined : HISTORY_SHOWN).map((e, i) => (
            <li key={i} data-kind={e.kind} data-unit={e.unit_code}>
              <span class="muted small nums">{moment(e.at)}</span>
              <span>{eventText(e, u.code, name)}</span>
              {e.actor && <span class="muted small">{t("units.ev.by", { who: e.actor })}</span>}
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted small">{t("units.history_empty")}</p>
      )}
      {events.length > HISTORY_SHOWN && (
        <button type="button" class="link" onClick={() => setAll(!all)}>
          {all ? t("history.less") : t("units.more", { n: num(events.length - HISTORY_SHOWN) })}
        </button>
      )}
    </section>
  )
}

/** An event of the history as seen from the unit `here` (it names the unit itself, a child, or the other side of a merge). */
function eventText(e: UnitEvent, here: string, name: (c: string | null) => string): string {
  const self = e.unit_code === here
  switch (e.kind) {
    case "created":
      if (self) return e.new_parent ? t("units.ev.created_under", { parent: name(e.new_parent) }) : t("units.ev.created")
      return t("units.ev.child_created", { child: name(e.unit_code) })
    case "moved":
      if (self) return t(e.detail === "parent merged" ? "units.ev.moved_merge" : "units.ev.moved", { from: name(e.old_parent), to: name(e.new_parent) })
      if (e.old_parent === here) return t("units.ev.child_left", { child: name(e.unit_code), to: name(e.new_parent) })
      return t("units.ev.child_came", { child: name(e.unit_code), from: name(e.old_parent) })
    case "merged": {
      if (!self) return t("units.ev.absorbed", { other: name(e.unit_code) })
      const n = Number(e.detail?.match(/^(\d+)/)?.[1] ?? 0)
      return t("units.ev.merged", { into: name(e.other_unit), n })
    }
    case "retired":
      return self ? t("units.ev.retired") : `${name(e.unit_code)}: ${t("units.ev.retired").toLowerCase()}`
    case "renamed":
      return e.detail ? `${t("units.ev.renamed")}: ${e.detail}` : t("units.ev.renamed")
    default:
      return t("units.ev.other")
  }
}

/** The server's refusal, in Vietnamese: our sentence, then its reason. */
function Failure({ error }: { error: unknown }) {
  const reason = error instanceof ApiError ? sayProblem(error.message) : error instanceof OfflineError ? t("err.offline") : t("err.other")
  return (
    <div class="section failure" role="alert" data-testid="unit-error">
      <p class="error">{error instanceof ApiError && error.status === 404 ? t("err.not_found") : t("units.not_done")}</p>
      <p>{reason}</p>
    </div>
  )
}

function Changes({ u, onMerged, onRetired, onFailed }: { u: UnitDetail; onMerged: (into: UnitInfo) => void; onRetired: () => void; onFailed: (e: unknown) => void }) {
  const [picking, setPicking] = useState(false)
  const [target, setTarget] = useState<UnitInfo | null>(null)
  const [retiring, setRetiring] = useState(false)
  const [busy, setBusy] = useState(false)
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    try {
      await fn()
    } catch (e) {
      onFailed(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="section">
      <h2>{t("units.actions")}</h2>
      {picking ? (
        <MergePicker u={u} onPick={setTarget} />
      ) : (
        <div class="stack">
          <button type="button" class="btn" name="merge" disabled={busy} onClick={() => setPicking(true)}>
            {t("units.merge")}
          </button>
          <button type="button" class="btn danger-outline" name="retire" disabled={busy} onClick={() => setRetiring(true)}>
            {t("units.retire")}
          </button>
        </div>
      )}
      {picking && (
        <button type="button" class="btn big" onClick={() => setPicking(false)}>
          {t("cancel")}
        </button>
      )}
      {target && (
        <MergeDialog
          u={u}
          into={target}
          onCancel={() => setTarget(null)}
          onConfirm={() => {
            const into = target
            setTarget(null)
            setPicking(false)
            void run(async () => {
              await api(`${unitPath(u.code)}/merge`, { method: "POST", body: { into: into.code } })
              onMerged(into)
            })
          }}
        />
      )}
      {retiring && (
        <Dialog
          title={t("units.retire_title", { name: u.name })}
          confirm={t("units.retire_confirm")}
          cancel={t("cancel")}
          danger
          onCancel={() => setRetiring(false)}
          onConfirm={() => {
            setRetiring(false)
            void run(async () => {
              await api(`${unitPath(u.code)}/retire`, { method: "POST" })
              onRetired()
            })
          }}
        >
          <p>{t("units.retire_body")}</p>
        </Dialog>
      )}
    </section>
  )
}

/** Active units of the same level: those under the same parent first, or any found by search. */
function MergePicker({ u, onPick }: { u: UnitDetail; onPick: (x: UnitInfo) => void }) {
  const s = useUnitSearch()
  const siblings = useCached<UnitInfo[]>(u.parent_code ? `/api/v1/units?parent=${enc(u.parent_code)}&level=${u.level}` : null)
  const fits = (x: UnitInfo) => x.code !== u.code && x.level === u.level && x.status === "active"
  const searching = !!s.text.trim()
  const list = (searching ? s.results ?? [] : siblings.data ?? []).filter(fits)
  return (
    <div class="merge-picker" data-testid="merge-picker">
      <p class="small">{t("units.merge_pick", { level: levelWord(u.level) })}</p>
      <SearchBox s={s} name="merge_search" label={t("units.merge_search")} />
      {searching ? <SearchNote s={s} /> : <p class="muted small">{t("units.merge_siblings")}</p>}
      {list.length ? (
        <ul class="rows flush picklist">
          {list.map((x) => (
            <UnitRow key={x.code} u={x} onPick={onPick} />
          ))}
        </ul>
      ) : (
        (!searching || (s.results && !s.busy)) && <p class="muted small">{t("units.merge_none")}</p>
      )}
    </div>
  )
}

/** Counts the accounts whose scope is `code` (they move with a merge), page by page. */
async function accountsOf(code: string): Promise<number> {
  let n = 0
  for (let offset = 0; offset < 50_000; offset += 1000) {
    const page = await api<User[]>(`/api/v1/users?limit=1000&offset=${offset}`)
    n += page.filter((x) => x.scope_unit === code).length
    if (page.length < 1000) break
  }
  return n
}

function MergeDialog({ u, into, onCancel, onConfirm }: { u: UnitDetail; into: UnitInfo; onCancel: () => void; onConfirm: () => void }) {
  const [accounts, setAccounts] = useState<number | null | undefined>(undefined)
  useEffect(() => {
    let live = true
    accountsOf(u.code).then(
      (n) => live && setAccounts(n),
      () => live && setAccounts(null),
    )
    return () => {
      live = false
    }
  }, [u.code])
  const children = u.children
  const from = u.name
  const to = into.name
  return (
    <Dialog title={t("units.merge_title", { from, into: to })} confirm={t("units.merge_confirm")} cancel={t("cancel")} danger onCancel={onCancel} onConfirm={onConfirm}>
      <div data-testid="merge-dialog">
        <p>
          {children.length
            ? t("units.merge_children", {
                n: num(children.length),
                from,
                into: to,
                names: children
                  .slice(0, 6)
                  .map((c) => c.name)
                  .join(", ") + (children.length > 6 ? "…" : ""),
              })
            : t("units.merge_no_children", { from })}
        </p>
        <p data-testid="merge-accounts">
          {accounts === undefined
            ? t("units.merge_users_counting", { from })
            : accounts === null
              ? t("units.merge_users_unknown", { from, into: to })
              : t("units.merge_users", { n: num(accounts), from, into: to })}
        </p>
        <p class="muted small">{t("units.merge_keeps", { from })}</p>
      </div>
    </Dialog>
  )
}

/** " (từ 01/07/2025)" when the unit took its code from a reform; earlier holders are other units. */
function codeSince(u: UnitDetail): string {
  const now = u.codes?.filter((c) => !c.valid_to).at(-1)
  return now && now.valid_from !== "0001-01-01" ? ` (${t("units.code_since", { date: date(now.valid_from) })})` : ""
}
