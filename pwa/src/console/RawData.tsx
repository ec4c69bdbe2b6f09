// "Dữ liệu gốc" (#/raw-data, the commune's own staff: commune officer, team lead; admin): every
// household and person of the commune or one village, with every question of every survey
// version, as an Excel workbook or CSV. Each download is written to the access log (the screen
// says so), since it holds names and ID numbers.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import type { Unit } from "../api/types"
import { download } from "../api/download"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { t } from "../i18n"
import { NotForRole } from "./NotForRole"

const enc = encodeURIComponent

export function RawData() {
  const me = session.value!.user
  if (!["team_lead", "commune", "admin"].includes(me.role)) return <NotForRole title={t("raw.title")} />
  return <RawDataScreen />
}

function RawDataScreen() {
  const me = session.value!.user
  const scope = useCached<Unit>(me.scope_unit ? `/api/v1/units/${enc(me.scope_unit)}` : null)
  const villages = useCached<Unit[]>(me.scope_unit ? `/api/v1/units?parent=${enc(me.scope_unit)}` : null)
  const [unit, setUnit] = useState<string | null>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const chosen = unit ?? me.scope_unit
  const get = async (path: string, name: string) => {
    setFailure(null)
    setBusy(true)
    try {
      await download(`/api/v1/units/${enc(chosen!)}/${path}`, name)
    } catch (e) {
      setFailure(e)
    } finally {
      setBusy(false)
    }
  }
  const options = [scope.data, ...(villages.data ?? []).filter((v) => v.level === "village")].filter((u): u is Unit => !!u)
  return (
    <>
      <Header title={t("raw.title")} back />
      <p class="pad">{t("raw.intro")}</p>
      {!chosen ? (
        <p class="pad muted">{t("raw.no_scope")}</p>
      ) : (
        <section class="section">
          <label class="field">
            <span class="field-label">{t("raw.unit")}</span>
            <select name="raw_unit" value={chosen} onChange={(e) => setUnit(e.currentTarget.value)}>
              {options.map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
          <div class="actions lead-action">
            <button type="button" class="btn primary" name="raw_xlsx" disabled={busy} onClick={() => void get("raw-data.xlsx", `du-lieu-${chosen}.xlsx`)}>
              {t("raw.xlsx")}
            </button>
            <button type="button" class="btn" name="raw_households_csv" disabled={busy} onClick={() => void get("raw-data.csv?sheet=households", `ho-${chosen}.csv`)}>
              {t("raw.households_csv")}
            </button>
            <button type="button" class="btn" name="raw_persons_csv" disabled={busy} onClick={() => void get("raw-data.csv?sheet=persons", `nguoi-${chosen}.csv`)}>
              {t("raw.persons_csv")}
            </button>
          </div>
          <ErrorNote error={failure} />
          <p class="small muted">{t("raw.logged")}</p>
        </section>
      )}
    </>
  )
}
