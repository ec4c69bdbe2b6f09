// Record problems (team lead and above): records the server stored but cannot read as the schema
// says (e.g. written by a newer app), in the caller's unit or the one of `?unit=` (an admin, who has
// no unit of their own, picks a province). A household held on this phone opens from its row.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import { route } from "../router"
import { useCached } from "../hooks/useCached"
import { engine } from "../sync/engine"
import { str } from "../survey/read"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { num, t } from "../i18n"
import { enc, unitPath, type RecordProblem, type UnitInfo } from "./data"
import { moment, useUnitNames } from "./parts"

/** `?unit=` of the route, else the caller's own unit. */
export function routeUnit(): string | null {
  const q = new URLSearchParams(route.value.split("?")[1] ?? "")
  return q.get("unit") || session.value?.user.scope_unit || null
}

/** An admin without `?unit=` picks among the provinces (the first by default). */
export function useUnitChoice(): { unit: string | null; choices: UnitInfo[] | null; setUnit: (c: string) => void } {
  const given = routeUnit()
  const provinces = useCached<UnitInfo[]>(given ? null : "/api/v1/units?level=province")
  const [picked, setPicked] = useState<string | null>(null)
  const choices = given ? null : (provinces.data ?? null)
  return { unit: given ?? picked ?? choices?.[0]?.code ?? null, choices, setUnit: setPicked }
}

export function UnitChoice({ c }: { c: ReturnType<typeof useUnitChoice> }) {
  const name = useUnitNames([c.unit])
  if (!c.unit) return null
  if (!c.choices || c.choices.length < 2) return <p class="pad small" data-testid="unit-name">{t("access.in", { name: name(c.unit) })}</p>
  return (
    <label class="field pad">
      <span class="field-label">{t("problems.unit")}</span>
      <select name="unit" value={c.unit} onChange={(e) => c.setUnit(e.currentTarget.value)}>
        {c.choices.map((u) => (
          <option key={u.code} value={u.code}>
            {u.name}
          </option>
        ))}
      </select>
    </label>
  )
}

export function Problems() {
  const c = useUnitChoice()
  const list = useCached<RecordProblem[]>(c.unit ? `${unitPath(c.unit)}/record-problems` : null)
  const rows = list.data ?? []
  const name = useUnitNames(rows.map((p) => p.village_code))
  // Households this phone holds (team lead, commune officer): their head's name and a link.
  const villages = Object.values(engine.value?.villages.value ?? {})
  void engine.value?.docTick.value
  const onPhone = (p: RecordProblem) => {
    const v = villages.find((x) => x.entry.unit_code === p.village_code && x.state === "ready")
    const h = v && p.household_id !== "*" ? v.handle.doc()?.households?.[p.household_id] : undefined
    return v && h ? { href: `#/v/${enc(v.entry.document_id)}/h/${enc(p.household_id)}`, head: str(h.head_name) } : null
  }
  return (
    <>
      <Header title={t("console.problems")} back />
      <p class="pad small muted">{t("problems.intro")}</p>
      <UnitChoice c={c} />
      {list.offline && <p class="banner">{t("cache.offline")}</p>}
      {list.failure !== null && (
        <div class="pad">
          <ErrorNote error={list.failure} />
        </div>
      )}
      {list.data && (
        <section class="section" data-testid="problems">
          {rows.length ? (
            <>
              <h2>{t("problems.count", { n: num(rows.length) })}</h2>
              <ul class="rows flush log">
                {rows.map((p, i) => {
                  const here = onPhone(p)
                  const what = p.household_id === "*" ? t("problems.whole_village") : here?.head ? t("problems.household", { name: here.head }) : t("problems.household_id", { id: p.household_id.slice(0, 8) })
                  return (
                    <li key={i} data-problem={p.household_id}>
                      <div class="log-line">
                        <strong>{here ? <a href={here.href}>{what}</a> : what}</strong>
                        <span class="muted small">
                          {name(p.village_code)} · <span class="nums">{moment(p.at)}</span>
                        </span>
                        <span class="small muted wrap-text">{t("problems.detail", { message: p.message })}</span>
                      </div>
                    </li>
                  )
                })}
              </ul>
            </>
          ) : (
            <p class="muted" data-testid="problems-empty">
              {t("problems.empty")}
            </p>
          )}
        </section>
      )}
      {!list.data && !list.offline && list.failure === null && <p class="empty">{t("loading")}</p>}
    </>
  )
}
