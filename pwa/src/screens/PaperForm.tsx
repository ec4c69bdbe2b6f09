// A blank paper survey sheet (issue 15) for a team whose phone died: the household fields and
// checklist, the visit outcome and what was helped with, and a table of the members aged 15+ with
// the person checklist as columns — the same questions and labels as the app's forms (schema.ts
// and i18n), so the answers are typed in later without translating. Printed on A4 landscape
// (weekly/print.css); the commune and village can be printed in, or left blank to write by hand.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import type { Unit } from "../api/types"
import { useCached } from "../hooks/useCached"
import { engine } from "../sync/engine"
import { route } from "../router"
import { Header } from "../components/Header"
import { HELPED_WITH, HOUSEHOLD_FLAGS, PERSON_FLAGS, VISIT_OUTCOMES } from "../schema"
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

/** The sheet itself, the same on screen (scaled down) and on paper. */
function Sheet({ commune, village, rows }: { commune: string; village: string; rows: number }) {
  const yesNo = [t("yes"), t("no")]
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
          <p class="paper-line">
            <span class="blank-field wide">
              {t("household.head_name")}: <span class="fill" />
            </span>
          </p>
          <p class="paper-line">
            <span class="blank-field wide">
              {t("household.address")}: <span class="fill" />
            </span>
          </p>
          <p class="paper-line">
            <span class="blank-field wide">
              {t("household.phone")}: <span class="fill" />
            </span>
          </p>
          <table class="paper-checks" data-testid="paper-household-flags">
            <tbody>
              {HOUSEHOLD_FLAGS.map((f) => (
                <tr key={f}>
                  <td>{t(`flag.${f}`)}</td>
                  <td>
                    <Ticks options={yesNo} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>{t("paper.s_visit")}</h2>
          <p class="paper-line" data-testid="paper-outcomes">
            <Ticks options={VISIT_OUTCOMES.map((o) => t(`outcome.${o}`))} />
          </p>
          <h3>{t("visit.helped")}</h3>
          <p class="paper-line helped" data-testid="paper-helped">
            <Ticks options={HELPED_WITH.map((k) => t(`helped.${k}`))} />
          </p>
          <p class="paper-line">
            <span class="blank-field wide">
              {t("visit.note")}: <span class="fill" />
            </span>
          </p>
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
            <th class="name">{t("person.full_name")}</th>
            <th class="year">{t("person.birth_year")}</th>
            <th class="sex">
              {t("person.sex")}
              <small>{t("paper.sex_hint")}</small>
            </th>
            <th class="cccd">{t("person.cccd")}</th>
            <th class="phone">{t("person.phone")}</th>
            <th class="flag">
              <span class="vertical">{t("paper.vneid_col")}</span>
            </th>
            {PERSON_FLAGS.map((f) => (
              <th key={f} class="flag" data-flag={f}>
                <span class="vertical">{t(`flag.${f}`)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              <td class="no">{i + 1}</td>
              {Array.from({ length: 6 + PERSON_FLAGS.length }, (_, j) => (
                <td key={j} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="paper-legend">{t("paper.legend", { yes: t("paper.yes_mark"), no: t("paper.no_mark"), v0: t("vneid.0"), v1: t("vneid.1"), v2: t("vneid.2") })}</p>
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
