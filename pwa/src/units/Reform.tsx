// Sắp xếp đơn vị hành chính (province, admin): the resolution's conversion table is previewed by the
// server (nothing written) and shown as what will happen; only "Áp dụng" applies it, in one step.
// Below, the villages of split former communes wait to be placed, one by one or from a sheet.
import { useEffect, useState } from "preact/hooks"
import { api } from "../api/http"
import { Header } from "../components/Header"
import { num, t } from "../i18n"
import { forgetUnitNames } from "./data"
import { FileProblems } from "./parts"
import { useBusy } from "../hooks/useBusy"

interface UnitRef {
  code: string
  official_code: string
  name: string
}
interface NewCommune extends UnitRef {
  province: string
  formers: (UnitRef & { line: number; share: "full" | "partial"; villages: number; households: number })[]
}
interface Preview {
  name: string
  effective_date: string
  new_communes: NewCommune[]
  splits: (UnitRef & { candidates: UnitRef[]; villages: { code: string; name: string; households: number }[] })[]
  districts_retired: UnitRef[]
  households_moved: number
  users_moved: number
  users_without_area: string[]
  warnings: string[]
}
interface Placement {
  village_code: string
  village_name: string
  former_commune: string
  former_name: string
  candidates: UnitRef[]
  placed_into: string | null
}
interface Applied {
  id: number
  name: string
  effective_date: string
}

/** The table as sent: bytes for a spreadsheet, text for a CSV (the server reads both). */
interface Table {
  file: string
  data: Blob
}

const CSV = "text/csv; charset=utf-8"

export function Reform() {
  const [name, setName] = useState("")
  const [effective, setEffective] = useState("2025-07-01")
  const [table, setTable] = useState<Table | null>(null)
  const [checked, setChecked] = useState<{ key: string; preview: Preview } | null>(null)
  const [applied, setApplied] = useState<Preview | null>(null)
  const { busy, error, run } = useBusy()
  const [round, setRound] = useState(0)
  const key = `${name.trim()}|${effective}|${table?.file ?? ""}`
  const send = (path: string) =>
    api<Preview>(`${path}?effective=${encodeURIComponent(effective)}&name=${encodeURIComponent(name.trim())}`, {
      method: "POST",
      raw: { data: table!.data, type: table!.file.toLowerCase().endsWith(".xlsx") ? "application/octet-stream" : CSV },
    })
  const preview = () =>
    void run(async () => {
      setChecked(null)
      setApplied(null)
      setChecked({ key, preview: await send("/api/v1/reforms/preview") })
    })
  const apply = () => {
    if (!checked || !confirm(t("reform.confirm", { name: checked.preview.name, date: checked.preview.effective_date }))) return
    void run(async () => {
      setApplied(await send("/api/v1/reforms"))
      forgetUnitNames()
      setChecked(null)
      setRound((r) => r + 1)
    })
  }
  const shown = checked && checked.key === key ? checked.preview : null
  const ready = !!table && !!name.trim() && !!effective
  return (
    <>
      <Header title={t("reform.title")} back />
      <section class="section">
        <p class="small">{t("reform.intro")}</p>
        <label class="field">
          <span class="field-label">{t("reform.name")}</span>
          <input name="reform-name" value={name} placeholder={t("reform.name_hint")} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t("reform.effective")}</span>
          <input name="effective" type="date" value={effective} onInput={(e) => setEffective(e.currentTarget.value)} />
        </label>
        <label class="btn big file-pick">
          {table ? t("reform.pick_other") : t("reform.pick")}
          <input
            type="file"
            name="mapping"
            accept=".csv,.xlsx,text/csv"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0]
              if (f) setTable({ file: f.name, data: f })
            }}
          />
        </label>
        {table && <p class="muted small">{t("reform.file_read", { name: table.file })}</p>}
        <button type="button" class="btn primary big" name="preview" disabled={busy || !ready} onClick={preview}>
          {t("reform.check")}
        </button>
        {checked && !shown && <p class="warn small">{t("reform.changed")}</p>}
      </section>
      {busy && (
        <p class="pad muted" role="status">
          {t("loading")}
        </p>
      )}
      {error !== null && <FileProblems error={error} headline={t("reform.errors")} testid="reform-errors" />}
      {applied && (
        <p class="banner ok" role="status" data-testid="reform-applied">
          {t("reform.applied", { name: applied.name, n: num(applied.new_communes.length) })}
        </p>
      )}
      {shown && <PreviewView preview={shown} busy={busy} onApply={apply} />}
      <Placements key={round} />
      <History key={`h${round}`} />
    </>
  )
}

function PreviewView({ preview: p, busy, onApply }: { preview: Preview; busy: boolean; onApply: () => void }) {
  const merged = p.new_communes.reduce((n, c) => n + c.formers.filter((f) => f.share === "full").length, 0)
  const lines = [
    t("reform.summary.new", { n: num(p.new_communes.length) }),
    t("reform.summary.merged", { n: num(merged) }),
    p.splits.length ? t("reform.summary.splits", { n: num(p.splits.length) }) : null,
    p.districts_retired.length ? t("reform.summary.districts", { n: num(p.districts_retired.length) }) : null,
    t("reform.summary.households", { n: num(p.households_moved) }),
    t("reform.summary.users", { n: num(p.users_moved) }),
  ].filter((l): l is string => l !== null)
  return (
    <section class="section" data-testid="reform-preview">
      <p class="muted small">{t("reform.nothing_written")}</p>
      <ul class="summary">
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
      {p.users_without_area.length > 0 && <p class="warn small">{t("reform.no_area", { names: p.users_without_area.join(", ") })}</p>}
      {p.warnings.length > 0 && (
        <details>
          <summary>{t("reform.warnings")}</summary>
          <ul class="line-problems small">
            {p.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      )}
      <details>
        <summary>{t("reform.new_list")}</summary>
        <ul class="rows compact flush">
          {p.new_communes.map((c) => (
            <li key={c.code} data-new={c.official_code}>
              <span class="row">
                <span class="row-main">
                  <strong class="wrap">{c.name}</strong>
                  <span class="muted small wrap">
                    <span class="nums">{c.official_code}</span> ·{" "}
                    {t("reform.formed_from", { names: c.formers.map((f) => (f.share === "full" ? f.name : `${f.name} (${t("reform.part")})`)).join(", ") })}
                  </span>
                </span>
              </span>
            </li>
          ))}
        </ul>
      </details>
      <button type="button" class="btn primary big" name="apply" disabled={busy} onClick={onApply}>
        {t("reform.apply")}
      </button>
    </section>
  )
}

/** Villages of split communes: a choice of new commune for each waiting one, or a sheet for all. */
function Placements() {
  const [list, setList] = useState<Placement[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [note, setNote] = useState<string | null>(null)
  const [choice, setChoice] = useState<Record<string, string>>({})
  const load = () =>
    void api<Placement[]>("/api/v1/reforms/placements").then(setList, (e) => {
      setError(e)
      setList([])
    })
  useEffect(load, [])
  const place = async (csv: BodyInit, type: string, done: (n: number) => string) => {
    setError(null)
    setNote(null)
    try {
      const r = await api<{ placed: number }>("/api/v1/reforms/placements", { method: "POST", raw: { data: csv, type } })
      forgetUnitNames()
      setNote(done(r.placed))
      load()
    } catch (e) {
      setError(e)
    }
  }
  if (!list) return <p class="pad muted">{t("loading")}</p>
  const waiting = list.filter((p) => !p.placed_into)
  const placed = list.filter((p) => p.placed_into)
  const nameOf = (p: Placement, code: string | null) => p.candidates.find((c) => c.code === code)?.name ?? code ?? ""
  return (
    <section class="section" data-testid="placements">
      <h2>{t("reform.place.title")}</h2>
      <p class="small muted">{t("reform.place.intro")}</p>
      {note && (
        <p class="banner ok" role="status">
          {note}
        </p>
      )}
      {error !== null && <FileProblems error={error} headline={t("reform.errors")} testid="reform-errors" />}
      {waiting.length === 0 && <p>{t("reform.place.none")}</p>}
      <ul class="rows compact flush">
        {waiting.map((p) => (
          <li key={p.village_code} data-village={p.village_code}>
            <div class="row place-row">
              <span class="row-main">
                <strong class="wrap">{p.village_name}</strong>
                <span class="muted small wrap">{t("reform.place.of", { name: p.former_name })}</span>
              </span>
              <select
                name={`into-${p.village_code}`}
                aria-label={t("reform.place.into")}
                value={choice[p.village_code] ?? ""}
                onChange={(e) => setChoice({ ...choice, [p.village_code]: e.currentTarget.value })}
              >
                <option value="">{t("reform.place.choose")}</option>
                {p.candidates.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
              <button
                type="button"
                class="btn"
                name={`place-${p.village_code}`}
                disabled={!choice[p.village_code]}
                onClick={() =>
                  void place(`village_code,new_commune_code\n${p.village_code},${choice[p.village_code]}\n`, CSV, () =>
                    t("reform.place.done", { village: p.village_name, commune: nameOf(p, choice[p.village_code]) }),
                  )
                }
              >
                {t("reform.place.save")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {waiting.length > 0 && (
        <label class="btn big file-pick">
          {t("reform.place.sheet")}
          <input
            type="file"
            name="placements"
            accept=".csv,.xlsx,text/csv"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0]
              if (f) void place(f, f.name.toLowerCase().endsWith(".xlsx") ? "application/octet-stream" : CSV, (n) => t("reform.place.sheet_done", { n: num(n) }))
            }}
          />
        </label>
      )}
      {placed.length > 0 && (
        <details>
          <summary>{t("reform.place.placed", { n: num(placed.length) })}</summary>
          <ul class="small">
            {placed.map((p) => (
              <li key={p.village_code} data-placed={p.village_code}>
                {p.village_name} ({p.former_name}) {t("reform.place.went", { name: nameOf(p, p.placed_into) })}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  )
}

function History() {
  const [list, setList] = useState<Applied[]>([])
  useEffect(() => void api<Applied[]>("/api/v1/reforms").then(setList, () => setList([])), [])
  if (!list.length) return null
  return (
    <section class="section">
      <h2>{t("reform.history")}</h2>
      <ul class="small">
        {list.map((r) => (
          <li key={r.id}>{t("reform.history_row", { name: r.name, date: r.effective_date })}</li>
        ))}
      </ul>
    </section>
  )
}
