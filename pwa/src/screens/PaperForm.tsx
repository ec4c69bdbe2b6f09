// A blank paper survey sheet (issue 15) for a team whose phone died: the household fields and
// checklist, the visit outcome and what was helped with, and a table of the members aged 15+ with
// the person checklist as columns — the questions and labels of the survey definition the phone
// has (as its forms), so the answers are typed in later without translating. Printed on A4 landscape
// (weekly/print.css); the commune and village can be printed in, or left blank to write by hand.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import type { Unit } from "../api/types"
import { useCached } from "../hooks/useCached"
import { engine } from "../sync/engine"
import { route } from "../router"
import { Header } from "../components/Header"
import { asked, say, survey, type Field } from "../survey/definition"
import { t } from "../weekly/i18n"

const ROWS = [6, 8, 10]

export function PaperForm() {
  const user = session.value!.user
  const scope = useCached<Unit>(user.scope_unit ? `/api/v1/units/${encodeURIComponent(user.scope_unit)}` : null)
  const villages = Object.values(engine.value?.villages.value ?? {})
    .map((v) => v.entry)
    .sort((a, b) => a.unit_code.localeCompare(b.unit_code))
  const asked = new URLSearchParams(route.value.split("?")[1] ?? "").get("village") ?? ""
  const [village, setVillage] = useState(asked)
  const [rows, setRows] = useState(8)
  const scopeUnit = scope.data
  const commune = scopeUnit?.level === "commune" ? scopeUnit.name : ""
  const villageName = villages.find((v) => v.unit_code === village)?.unit_name ?? (scopeUnit?.level === "village" ? scopeUnit.name : "")
  return (
    <>
      <Header title={t("paper.title")} back />
      <section class="section screen-only">
        <p>{t("paper.intro")}</p>
        {villages.length > 0 && (
          <label class="field">
            <span class="field-label">{t("paper.village")}</span>
            <select name="paper-village" value={village} onChange={(e) => setVillage(e.currentTarget.value)}>
              <option value="">{t("paper.village_blank")}</option>
              {villages.map((v) => (
                <option key={v.unit_code} value={v.unit_code}>
                  {v.unit_name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div class="field">
          <span class="field-label">{t("paper.rows")}</span>
          <div class="seg" role="radiogroup" aria-label={t("paper.rows")}>
            {ROWS.map((n) => (
              <button type="button" role="radio" key={n} aria-checked={rows === n} class={rows === n ? "on" : ""} onClick={() => setRows(n)}>
                {n}
              </button>
            ))}
          </div>
        </div>
        <button type="button" class="btn primary big" name="print" onClick={() => print()}>
          {t("paper.print")}
        </button>
        <p class="muted small">{t("paper.hint")}</p>
      </section>
      <div class="paper-preview screen-frame" aria-label={t("paper.preview")}>
        <Sheet commune={commune} village={villageName} rows={rows} />
      </div>
    </>
  )
}

const Box = () => <span class="box" aria-hidden="true" />

function Ticks({ options }: { options: string[] }) {
  return (
    <span class="ticks">
      {options.map((o) => (
        <span key={o} class="tick">
          <Box /> {o}
        </span>
      ))}
    </span>
  )
}

/** A checklist question's answer boxes: Có/Không, or its choices. */
function Answers({ field }: { field: Field }) {
  if (field.type === "yes_no") return <Ticks options={[t("yes"), t("no")]} />
  if (field.type === "choice" || field.type === "choices") return <Ticks options={(field.choices ?? []).filter((c) => !c.hidden).map((c) => say(c.label))} />
  return <span class="fill" />
}

/** The person table's column classes for the details the sheet has always had (their widths). */
const COLUMN: Record<string, string> = { full_name: "name", birth_year: "year", sex: "sex", cccd: "cccd", phone: "phone" }

/** The sheet itself, the same on screen (scaled down) and on paper. */
function Sheet({ commune, village, rows }: { commune: string; village: string; rows: number }) {
  const def = survey.value
  const outcome = def.visit.find((f) => f.key === "outcome")
  const visitChecks = asked(def, "visit").filter((f) => f.key !== "outcome" && (f.type === "choice" || f.type === "choices"))
  const visitLines = asked(def, "visit").filter((f) => f.key !== "outcome" && !visitChecks.includes(f))
  const details = asked(def, "person", "details")
  const checklist = asked(def, "person", "checklist")
  // A choice written in a cell is written as its value: the legend says what each one means.
  const coded = checklist.filter((f) => f.type === "choice")
  return (
    <article class="paper-sheet" data-testid="paper-sheet">
      <header class="paper-head">
        <h1>{t("paper.heading")}</h1>
        <span>{t("paper.sheet_no")}</span>
      </header>
      <p class="paper-line">
        <span class="blank-field">
          {t("paper.commune")}: <span class="fill">{commune}</span>
        </span>
        <span class="blank-field">
          {t("paper.village")}: <span class="fill">{village}</span>
        </span>
        <span class="blank-field">
          {t("paper.surveyor")}: <span class="fill" />
        </span>
        <span class="blank-field short">
          {t("paper.date")}: <span class="fill">{"      /      /"}</span>
        </span>
      </p>
      <div class="paper-cols">
        <section>
          <h2>{t("paper.s_household")}</h2>
          {asked(def, "household", "details").map((f) => (
            <p class="paper-line" key={f.key}>
              <span class="blank-field wide">
                {say(f.label)}: <span class="fill" />
              </span>
            </p>
          ))}
          <table class="paper-checks" data-testid="paper-household-flags">
            <tbody>
              {asked(def, "household", "checklist").map((f) => (
                <tr key={f.key}>
                  <td>{say(f.label)}</td>
                  <td>
                    <Answers field={f} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>{t("paper.s_visit")}</h2>
          <p class="paper-line" data-testid="paper-outcomes">
            {outcome && <Answers field={outcome} />}
          </p>
          {visitChecks.map((f) => (
            <div key={f.key}>
              <h3>{say(f.label)}</h3>
              <p class="paper-line helped" data-testid={`paper-${f.key}`}>
                <Answers field={f} />
              </p>
            </div>
          ))}
          {visitLines.map((f) => (
            <p class="paper-line" key={f.key}>
              <span class="blank-field wide">
                {say(f.label)}: <span class="fill" />
              </span>
            </p>
          ))}
          <p class="paper-line">
            <span class="fill full" />
          </p>
        </section>
      </div>
      <h2>{t("paper.s_persons")}</h2>
      <table class="paper-persons" data-testid="paper-persons" style={{ "--row-h": rows > 8 ? "6.5mm" : "8mm" }}>
        <thead>
          <tr>
            <th class="no">{t("paper.no")}</th>
            {details.map((f) => (
              <th key={f.key} class={COLUMN[f.key] ?? "name"}>
                {say(f.label)}
                {f.type === "choice" && <small>{(f.choices ?? []).filter((c) => !c.hidden).map((c) => say(c.label)).join(" / ")}</small>}
              </th>
            ))}
            {checklist.map((f) => (
              <th key={f.key} class="flag" data-flag={f.type === "yes_no" ? f.key : undefined}>
                <span class="vertical">{say(f.label)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              <td class="no">{i + 1}</td>
              {Array.from({ length: details.length + checklist.length }, (_, j) => (
                <td key={j} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="paper-legend">
        {t("paper.legend", { yes: t("paper.yes_mark"), no: t("paper.no_mark") })}
        {coded.map((f) => ` ${say(f.label)}: ${(f.choices ?? []).map((c) => `${c.value} = ${say(c.label)}`).join(", ")}.`)}
      </p>
      <footer class="paper-sign">
        <div>
          <strong>{t("paper.sign_household")}</strong>
          <em>{t("paper.sign_hint")}</em>
        </div>
        <div>
          <strong>{t("paper.sign_surveyor")}</strong>
          <em>{t("paper.sign_hint")}</em>
        </div>
      </footer>
    </article>
  )
}
