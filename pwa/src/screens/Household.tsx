// One household: its details, today's visit (outcome, what was helped with, a note), its members
// aged 15+ and the household checklist, all drawn from the survey definition this phone has. Every field saves on its own when it is left: a partial
// record is always kept, and validation only shows hints.
import { useState } from "preact/hooks"
import { engine } from "../sync/engine"
import { session } from "../api/session"
import type { Household as H, VisitOutcome } from "../schema"
import { latestVisit, livePersons, str } from "../survey/read"
import { addPerson, addVisit, setHousehold, setHouseholdTick, setVisitField, setVisitOutcome, setVisitTick } from "../survey/write"
import { asked, isRelevant, progress, say, survey } from "../survey/definition"
import { FieldInput } from "../components/FieldInput"
import { go } from "../router"
import { Header } from "../components/Header"
import { Choice } from "../components/Choice"
import { Dialog } from "../components/Dialog"
import { personName } from "../team/team"
import { reviews, SendBackBanners, SendBackSection, useSendBacks } from "../components/SendBacks"
import { date, t, when } from "../i18n"
import { HistorySection } from "../units/routes"

const DAY = 24 * 3600 * 1000

export function Household({ doc, hh }: { doc: string; hh: string }) {
  const e = engine.value
  void e?.docTick.value
  const v = e?.village(doc)
  const [removing, setRemoving] = useState(false)
  const sentBack = useSendBacks(hh, "*").mine
  if (!v || v.state !== "ready") return <Header title={t("household.title")} back />
  const h: H | undefined = v.handle.doc().households?.[hh]
  if (!h) return <Header title={t("household.not_found")} back />
  const me = session.value!.user.username
  const ro = v.entry.access !== "read_write"
  const set = (key: string, value: string | number | boolean | null) => setHousehold(v.handle, hh, key, value)
  const def = survey.value
  const record = h as unknown as Record<string, unknown>
  const outcomeField = def.visit.find((f) => f.key === "outcome")
  const last = latestVisit(h)
  // Today's visit by me is the one the outcome buttons edit; otherwise a tap starts a new visit.
  const current = last && str(last[1].by) === me && Date.now() - last[1].at < DAY && new Date(last[1].at).toDateString() === new Date().toDateString() ? last : undefined
  const chooseOutcome = (o: VisitOutcome | null) => {
    if (!o) return
    if (current) setVisitOutcome(v.handle, hh, current[0], o)
    else addVisit(v.handle, hh, o, me)
  }
  const persons = livePersons(h)
  const visits = Object.entries(h.visits ?? {}).sort((a, b) => b[1].at - a[1].at)
  const reviewer = reviews()
  return (
    <>
      <Header title={str(h.head_name) || t("household.no_name")} back />
      {h.deleted && <p class="banner warn">{t("household.deleted")}</p>}
      {str(h.duplicate_of) && <p class="banner warn">{t("household.is_duplicate")}</p>}
      {!reviewer && <SendBackBanners hh={hh} unsent={() => e!.unsentHouseholds(doc).has(hh)} />}

      <section class="section">
        <h2>{t("visit.title")}</h2>
        <Choice<VisitOutcome>
          name="outcome"
          value={current ? (str(current[1].outcome) as VisitOutcome) : null}
          options={(outcomeField?.choices ?? []).filter((c) => !c.hidden).map((c) => [c.value as VisitOutcome, say(c.label)])}
          onChange={chooseOutcome}
          readOnly={ro}
          clearable={false}
        />
        {current &&
          asked(def, "visit")
            .filter((f) => f.key !== "outcome" && isRelevant(f, current[1] as unknown as Record<string, unknown>))
            .map((f) => (
              <FieldInput
                key={f.key}
                field={f}
                record={current[1] as unknown as Record<string, unknown>}
                onChange={(k, x) => setVisitField(v.handle, hh, current[0], k, x)}
                onTick={(k, c, on) => setVisitTick(v.handle, hh, current[0], k, c, on)}
                readOnly={ro}
              />
            ))}
        {visits.length > (current ? 1 : 0) && (
          <ul class="visits">
            {visits
              .filter(([id]) => id !== current?.[0])
              .map(([id, x]) => (
                <li key={id} class="small muted">
                  {when(x.at)} · {personName(str(x.by))} · {say(outcomeField?.choices?.find((c) => c.value === str(x.outcome))?.label) || str(x.outcome)}
                </li>
              ))}
          </ul>
        )}
      </section>

      <section class="section">
        <h2>{t("household.details")}</h2>
        {asked(def, "household", "details").map((f) => (
          <FieldInput key={f.key} field={f} record={record} onChange={set} readOnly={ro} />
        ))}
      </section>

      <section class="section">
        <h2>{t("household.members")}</h2>
        <ul class="rows compact">
          {persons.map(([pid, p]) => {
            const { answered, total } = progress(def, "person", p as unknown as Record<string, unknown>)
            return (
              <li key={pid}>
                <a class="row" href={`#/v/${doc}/h/${hh}/p/${pid}`} data-person={pid}>
                  <span class="row-main">
                    <span class="name-line">
                      <strong>{str(p.full_name) || t("person.no_name")}</strong>
                      {sentBack.some((s) => s.person_id === pid) && (
                        <span class="tag warn" data-badge="send-back">
                          {t("sendback.tag")}
                        </span>
                      )}
                    </span>
                    <span class="muted">{p.birth_year ? t("person.born", { year: String(p.birth_year) }) : ""}</span>
                  </span>
                  <span class="row-side small muted">{t("person.answered", { n: answered, total })}</span>
                </a>
              </li>
            )
          })}
        </ul>
        {!ro && <AddPerson onAdd={(name, year) => go(`/v/${doc}/h/${hh}/p/${addPerson(v.handle, hh, { full_name: name, birth_year: year ?? null })}`)} />}
      </section>

      <section class="section">
        <h2>{t("household.checklist")}</h2>
        {asked(def, "household", "checklist")
          .filter((f) => isRelevant(f, record))
          .map((f) => (
            <FieldInput key={f.key} field={f} record={record} onChange={set} onTick={(k, c, on) => setHouseholdTick(v.handle, hh, k, c, on)} readOnly={ro} />
          ))}
      </section>

      {reviewer && <SendBackSection hh={hh} names={Object.fromEntries(persons.map(([pid, p]) => [pid, str(p.full_name)]))} />}

      {/* Issue 14, part B: who changed what, old → new (the commune's own staff; fetched when asked) */}
      <HistorySection role={session.value!.user.role} hh={hh} household={h} all={v.handle.doc().households} />

      {!ro && (
        <section class="section">
          {h.deleted ? (
            <button type="button" class="btn" onClick={() => set("deleted", false)}>
              {t("household.restore")}
            </button>
          ) : (
            <button type="button" class="btn danger-outline" onClick={() => setRemoving(true)}>
              {t("household.remove")}
            </button>
          )}
          <p class="muted small">{t("household.created", { date: h.created_at ? date(h.created_at) : "?", by: h.created_by ? personName(str(h.created_by)) : "?" })}</p>
        </section>
      )}
      {removing && (
        <Dialog
          title={t("household.remove")}
          confirm={t("household.remove")}
          cancel={t("cancel")}
          danger
          onCancel={() => setRemoving(false)}
          onConfirm={() => {
            set("deleted", true)
            setRemoving(false)
            history.back()
          }}
        >
          <p>{t("household.remove_body")}</p>
        </Dialog>
      )}
    </>
  )
}

function AddPerson({ onAdd }: { onAdd: (name: string, year?: number) => void }) {
  const [name, setName] = useState("")
  const [year, setYear] = useState("")
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        const y = Number(year)
        onAdd(name.trim(), year && Number.isInteger(y) ? y : undefined)
      }}
    >
      <input name="new_person_name" placeholder={t("person.full_name")} value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="off" />
      <input name="new_person_year" placeholder={t("person.birth_year")} inputMode="numeric" value={year} onInput={(e) => setYear(e.currentTarget.value)} class="year" />
      <button type="submit" class="btn primary" name="add_person">
        + {t("person.add")}
      </button>
    </form>
  )
}
