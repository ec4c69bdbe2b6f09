// Many members at once from a CSV or Excel file (columns "Họ và tên", "Số điện thoại", "Thôn"):
// the file is first checked by the server without importing (dry run) and shown as a table, or its
// bad lines are listed; "Nhập" then imports it for real. All lines or none.
import { useState } from "preact/hooks"
import { api } from "../api/http"
import type { ImportResult } from "../api/types"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { teamHref, teamUnit } from "../team/team"
import { t } from "../i18n"
import { useBusy } from "../hooks/useBusy"

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
const typeOf = (f: File) => (f.name.toLowerCase().endsWith(".xlsx") || f.type === XLSX ? XLSX : "text/csv")

export function ImportMembers() {
  const unit = teamUnit()
  const [file, setFile] = useState<{ name: string; type: string; data: ArrayBuffer } | null>(null)
  const [preview, setPreview] = useState<ImportResult | null>(null)
  const [done, setDone] = useState<ImportResult | null>(null)
  const { busy, error, setError, run } = useBusy()
  const send = (dryRun: boolean, f = file!) =>
    api<ImportResult>(`/api/v1/users/import?unit=${encodeURIComponent(unit)}&dry_run=${dryRun}`, { method: "POST", raw: { data: f.data, type: f.type } })
  const pick = (f: File | undefined) => {
    setPreview(null)
    setDone(null)
    setError(null)
    if (!f) return setFile(null)
    void run(async () => {
      const picked = { name: f.name, type: typeOf(f), data: await f.arrayBuffer() }
      setFile(picked)
      setPreview(await send(true, picked))
    })
  }
  const template = () => {
    // With a byte-order mark so Excel opens the Vietnamese letters right.
    const csv = "\ufeffHọ và tên,Số điện thoại,Thôn\r\nNguyễn Văn An,0912345678,Thôn 1\r\n"
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }))
    const a = Object.assign(document.createElement("a"), { href: url, download: "danh-sach-thanh-vien.csv" })
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
  return (
    <>
      <Header title={t("import.title")} back />
      <section class="section">
        <p>{t("import.intro")}</p>
        <p class="muted small">{t("import.columns")}</p>
        <label class="btn primary big file-pick">
          {file ? t("import.pick_other") : t("import.pick")}
          <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => pick(e.currentTarget.files?.[0])} />
        </label>
        {file && <p class="muted small">{file.name}</p>}
        <button type="button" class="link" onClick={template}>
          {t("import.template")}
        </button>
      </section>

      {busy && (
        <p class="pad muted" role="status">
          {t("loading")}
        </p>
      )}
      {error !== null && (
        <div class="pad" data-testid="import-errors">
          <ErrorNote error={error} context="import" />
        </div>
      )}

      {done && (
        <section class="section">
          <p class="banner ok" role="status" data-testid="imported">
            {t("import.done", { n: done.created })}
          </p>
          <a class="btn big" href={teamHref("/team", unit)}>
            {t("import.back")}
          </a>
        </section>
      )}

      {preview && !done && (
        <section class="section" data-testid="import-preview">
          <h2>{t("import.preview", { n: preview.rows.length })}</h2>
          {/* Three columns, two lines each: fits 360 px without scrolling sideways. */}
          <table class="plain preview">
            <thead>
              <tr>
                <th>{t("import.line")}</th>
                <th>
                  {t("add.name")}
                  <br />
                  {t("add.phone")}
                </th>
                <th>
                  {t("login.username")}
                  <br />
                  {t("add.village")}
                </th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={r.line} data-line={r.line}>
                  <td class="nums">{r.line}</td>
                  <td>
                    <strong>{r.display_name}</strong>
                    <br />
                    <span class="nums">{r.phone ?? ""}</span>
                  </td>
                  <td>
                    <code>{r.username}</code>
                    <br />
                    {r.village_name ?? r.village_code ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            class="btn primary big"
            name="import"
            disabled={busy || !preview.rows.length}
            onClick={() =>
              void run(async () => {
                setDone(await send(false))
                setPreview(null)
              })
            }
          >
            {t("import.submit", { n: preview.rows.length })}
          </button>
        </section>
      )}
    </>
  )
}
