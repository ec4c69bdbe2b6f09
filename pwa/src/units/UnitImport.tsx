// Units from a CSV (province, admin): choose a file or paste its content; the server checks it
// without writing (dry run) and either previews the units it would create, with their line numbers,
// or lists the bad lines in Vietnamese; only then "Nhập" writes them, all lines or none. Changing the
// content after the check asks for another check.
import { useState } from "preact/hooks"
import { api } from "../api/http"
import { Header } from "../components/Header"
import { num, t } from "../i18n"
import { enc, forgetUnitNames, levelWord, type UnitImport as Report } from "./data"
import { FileProblems } from "./parts"
import { useBusy } from "../hooks/useBusy"

const TEMPLATE = "Mã,Tên,Cấp,Mã cha\r\n16138.05,Thôn Tân Hưng,Thôn,16138\r\n16138.06,Tổ dân phố 6,,16138\r\n"

export function UnitImport() {
  const [text, setText] = useState("")
  const [file, setFile] = useState<string | null>(null)
  const [checked, setChecked] = useState<{ text: string; report: Report } | null>(null)
  const [done, setDone] = useState<Report | null>(null)
  const { busy, error, setError, run } = useBusy()
  // An Excel workbook (the statistical office publishes its list so) is sent as it is and
  // stands for the content; a CSV is read into the text box, where it can be corrected.
  const [sheet, setSheet] = useState<File | null>(null)
  const send = (dryRun: boolean, csv: string) =>
    api<Report>(`/api/v1/units/import?dry_run=${dryRun}`, {
      method: "POST",
      raw: sheet && csv === sheetKey(sheet) ? { data: sheet, type: "application/octet-stream" } : { data: csv, type: "text/csv; charset=utf-8" },
    })
  const check = (csv: string) =>
    void run(async () => {
      setChecked(null)
      setDone(null)
      setChecked({ text: csv, report: await send(true, csv) })
    })
  const edit = (csv: string) => {
    setText(csv)
    setDone(null)
    setError(null)
  }
  const pick = async (f: File | undefined) => {
    if (!f) return
    const xlsx = f.name.toLowerCase().endsWith(".xlsx")
    const csv = xlsx ? sheetKey(f) : await f.text()
    setSheet(xlsx ? f : null)
    setFile(f.name)
    edit(csv)
    check(csv)
  }
  const template = () => {
    // With a byte-order mark so Excel opens the Vietnamese letters right.
    const url = URL.createObjectURL(new Blob([`\ufeff${TEMPLATE}`], { type: "text/csv;charset=utf-8" }))
    const a = Object.assign(document.createElement("a"), { href: url, download: "don-vi-hanh-chinh.csv" })
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
  const preview = checked && checked.text === text ? checked.report : null
  const stale = checked && checked.text !== text && !done
  return (
    <>
      <Header title={t("units.import.title")} back />
      <section class="section">
        <p class="small">{t("units.import.intro")}</p>
        <label class="btn big file-pick">
          {file ? t("units.import.pick_other") : t("units.import.pick")}
          <input type="file" name="file" accept=".csv,.xlsx,text/csv,text/plain" onChange={(e) => void pick(e.currentTarget.files?.[0])} />
        </label>
        {file && <p class="muted small">{t("units.import.file_read", { name: file })}</p>}
        {text.includes("\ufffd") && <p class="warn small">{t("units.import.not_utf8")}</p>}
        <label class="field" hidden={!!sheet && text === sheetKey(sheet)}>
          <span class="field-label">{t("units.import.paste")}</span>
          <textarea name="csv" rows={6} class="csv" spellcheck={false} placeholder={TEMPLATE.trim()} value={text} onInput={(e) => edit(e.currentTarget.value)} />
        </label>
        <button type="button" class="btn primary big" name="check" disabled={busy || !text.trim()} onClick={() => check(text)}>
          {t("units.import.check")}
        </button>
        <button type="button" class="link" onClick={template}>
          {t("units.import.template")}
        </button>
        {stale && <p class="warn small">{t("units.import.changed")}</p>}
      </section>

      {busy && (
        <p class="pad muted" role="status">
          {t("loading")}
        </p>
      )}
      {error !== null && <FileProblems error={error} headline={t("units.import.errors")} testid="import-errors" />}

      {done && (
        <section class="section" data-testid="imported">
          <p class="banner ok" role="status">
            {t("units.import.done", { n: num(done.created) })}
          </p>
          <ul class="rows compact flush">
            {done.units.map((u) => (
              <li key={u.code}>
                <a class="row" href={`#/units/${enc(u.code)}`} data-unit={u.code}>
                  <span class="row-main">
                    <strong>{u.name}</strong>
                    <span class="muted small">
                      {levelWord(u.level)} · <span class="nums">{u.code}</span>
                    </span>
                  </span>
                  <span class="chev">›</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}

      {preview && !done && (
        <section class="section" data-testid="import-preview">
          <h2>{t("units.import.preview", { n: num(preview.units.length) })}</h2>
          <p class="muted small">{t("units.import.nothing_written")}</p>
          {preview.unchanged > 0 && <p class="small">{t("units.import.unchanged", { n: num(preview.unchanged) })}</p>}
          {preview.units.length ? (
            <table class="plain preview">
              <thead>
                <tr>
                  <th>{t("units.import.line")}</th>
                  <th>
                    {t("units.code")} · {t("units.level")}
                  </th>
                  <th>{t("units.parent")}</th>
                </tr>
              </thead>
              <tbody>
                {[...preview.units]
                  .sort((a, b) => a.line - b.line)
                  .map((u) => (
                    <tr key={u.code} data-line={u.line} data-code={u.code}>
                      <td class="nums">{u.line}</td>
                      <td>
                        <strong>{u.name}</strong>
                        <br />
                        <span class="nums">{u.code}</span> · <span data-level={u.level}>{levelWord(u.level)}</span>
                      </td>
                      <td class="nums">{u.parent_code ?? "—"}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          ) : (
            <p>{t("units.import.none_new")}</p>
          )}
          {preview.units.length > 0 && (
            <button
              type="button"
              class="btn primary big"
              name="import"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  const csv = checked!.text
                  const report = await send(false, csv)
                  forgetUnitNames()
                  setDone(report)
                })
              }
            >
              {t("units.import.submit", { n: num(preview.units.length) })}
            </button>
          )}
        </section>
      )}
    </>
  )
}

/** What stands in the text box's place for a workbook: its name and size (a new pick asks again). */
const sheetKey = (f: File) => `[${f.name} · ${f.size}]`
