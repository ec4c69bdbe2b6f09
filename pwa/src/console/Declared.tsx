// "Chỉ tiêu tự kê khai": the commune's 7 declared indicators (1–5, 12, 16, those the catalogue
// gives `source: "declared"`). Each shows the value in force (the latest by value date up to
// today, as the server counts it) and its target; the commune officer enters how many out of the
// total, or a status from the fixed list ("Chưa có", "Không có", "Chưa thực hiện"), with the day
// of the figures (default today) and a note; every update is listed, newest first, with who and
// when. Other roles read (a district or province official picks a commune). Checked here before
// sending (whole numbers, how many ≤ the total, a day not after today); the server's refusal is
// shown as it says it.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import type { Unit } from "../api/types"
import { route } from "../router"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { FormFooter } from "./FormFooter"
import { date, t, when } from "../i18n"
import { readsDeclared, writesDeclared } from "./access"
import { NotForRole } from "./NotForRole"
import { declaredText, indicatorName, rate, vietnamToday } from "./format"
import { STATUSES, type CatalogueIndicator, type DeclaredStatus, type DeclaredValue, type EffectiveTarget } from "./types"

/** The declared indicators when the catalogue is not at hand (offline, nothing cached). */
const DECLARED_IDS = [1, 2, 3, 4, 5, 12, 16]

export function Declared() {
  const me = session.value!.user
  if (!readsDeclared(me.role)) return <NotForRole title={t("declared.title")} />
  const asked = new URLSearchParams(route.value.split("?")[1] ?? "").get("unit")
  const code = asked || (me.role === "commune" || me.role === "team_lead" ? me.scope_unit : null)
  return code ? <DeclaredUnit code={code} /> : <CommunePicker />
}

/** District, province, admin: which commune to read (or, for an admin, to enter). */
function CommunePicker() {
  const communes = useCached<Unit[]>("/api/v1/units?level=commune&limit=5000")
  const list = (communes.data ?? []).filter((u) => u.status === "active")
  return (
    <>
      <Header title={t("declared.title")} back />
      <p class="pad muted small">{t("declared.pick_commune")}</p>
      {communes.offline && <p class="muted pad small">{t("cache.offline")}</p>}
      {communes.failure && !communes.data ? (
        <div class="pad">
          <ErrorNote error={communes.failure} />
        </div>
      ) : !communes.data ? (
        <p class="muted pad">{t("loading")}</p>
      ) : list.length === 0 ? (
        <p class="empty">{t("declared.no_communes")}</p>
      ) : (
        <ul class="rows">
          {list.map((u) => (
            <li key={u.code}>
              <a class="row" href={`#/declared?unit=${encodeURIComponent(u.code)}`} data-unit={u.code}>
                <span class="row-main">
                  <strong>{u.name}</strong>
                  <span class="small muted">{u.official_code ?? u.code}</span>
                </span>
                <span class="chev" aria-hidden="true">
                  ›
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </>
  )
}

function DeclaredUnit({ code }: { code: string }) {
  const me = session.value!.user
  const base = `/api/v1/units/${encodeURIComponent(code)}`
  const unit = useCached<Unit>(base)
  const catalogue = useCached<CatalogueIndicator[]>("/api/v1/indicators")
  const values = useCached<DeclaredValue[]>(`${base}/declared`)
  const targets = useCached<EffectiveTarget[]>(`${base}/targets`)
  const [open, setOpen] = useState<number | null>(null)
  const [saved, setSaved] = useState<{ id: number; text: string } | null>(null)
  const writable = writesDeclared(me.role)
  const ids = catalogue.data ? catalogue.data.filter((i) => i.source === "declared").map((i) => i.id) : DECLARED_IDS
  const targetOf = (id: number) =>
    targets.data?.find((x) => x.indicator_id === id)?.text ?? catalogue.data?.find((x) => x.id === id)?.default_target_text
  // The list read again first, so the confirmation appears with the history that holds the value.
  const onSaved = async (v: DeclaredValue) => {
    await values.reload()
    setOpen(null)
    setSaved({ id: v.indicator_id, text: declaredText(v) })
  }
  return (
    <>
      <Header title={t("declared.title")} back />
      <p class="pad" data-testid="declared-unit">
        <strong>{unit.data?.name ?? code}</strong>
      </p>
      <p class="pad muted small">{writable ? t("declared.intro") : t("declared.read_only")}</p>
      {values.offline && <p class="muted pad small">{t("cache.offline")}</p>}
      {values.failure && !values.data && (
        <div class="pad">
          <ErrorNote error={values.failure} />
        </div>
      )}
      {!values.data && !values.failure && <p class="muted pad">{t("loading")}</p>}
      {values.data &&
        ids.map((id) => (
          <IndicatorCard
            key={id}
            id={id}
            code={code}
            entries={values.data!.filter((v) => v.indicator_id === id)}
            target={targetOf(id)}
            writable={writable}
            open={open === id}
            onOpen={(o) => (setOpen(o ? id : null), setSaved(null))}
            onSaved={onSaved}
            saved={saved?.id === id ? saved.text : null}
          />
        ))}
    </>
  )
}

interface CardProps {
  id: number
  code: string
  /** this indicator's declarations, as the server listed them */
  entries: DeclaredValue[]
  target: string | undefined
  writable: boolean
  open: boolean
  onOpen: (open: boolean) => void
  onSaved: (v: DeclaredValue) => Promise<void>
  /** the value just saved here, for the confirmation */
  saved: string | null
}

function IndicatorCard({ id, code, entries, target, writable, open, onOpen, onSaved, saved }: CardProps) {
  const today = vietnamToday()
  // In force: the latest by value date up to today (then the latest entered), as the server counts.
  const byDate = [...entries].sort((a, b) => (a.value_date === b.value_date ? b.id - a.id : a.value_date < b.value_date ? 1 : -1))
  const current = byDate.find((v) => v.unit_code === code && v.value_date <= today)
  // Until the commune declares the indicator itself, the last values of the former communes merged
  // into it count for it, added up, as the indicator table counts them.
  const formers = current ? [] : latestPerUnit(byDate.filter((v) => v.unit_code !== code && v.value_date <= today))
  const inherited = formers.length ? sumOf(formers) : null
  // The history: every change, the latest entered first.
  const history = [...entries].sort((a, b) => b.id - a.id)
  return (
    <section class="section declared" data-indicator={id} data-testid="declared-indicator">
      <h2>{indicatorName(id)}</h2>
      {target && <p class="muted small">{t("declared.target", { target })}</p>}
      <div class="declared-row">
        <div class="declared-now" data-testid="declared-current" data-status={current?.status ?? ""}>
          {current ? (
            <>
              <strong class={current.status ? "status-text" : "nums"}>{declaredText(current)}</strong>
              <span class="small muted">{t("declared.value_line", { date: date(current.value_date), name: current.entered_by_name || current.entered_by })}</span>
            </>
          ) : inherited ? (
            <>
              <strong class={inherited.status ? "status-text" : "nums"}>{declaredText(inherited)}</strong>
              <span class="small muted" data-testid="declared-formers">
                {t("declared.from_formers", { names: formers.map((f) => f.unit_name).join(", ") })}
              </span>
            </>
          ) : (
            <strong class="muted">{t("declared.not_declared")}</strong>
          )}
        </div>
        {writable && !open && (
          <button type="button" class="btn" name="update-declared" onClick={() => onOpen(true)}>
            {t("declared.update")}
          </button>
        )}
      </div>
      {saved && (
        <p class="banner ok" role="status">
          {t("declared.saved", { value: saved })}
        </p>
      )}
      {writable && open && <DeclareForm id={id} code={code} current={current} onCancel={() => onOpen(false)} onSaved={onSaved} />}
      <details class="declared-history" open={!!saved} data-testid="declared-history">
        <summary>{t("declared.history", { n: history.length })}</summary>
        {history.length === 0 ? (
          <p class="muted small">{t("declared.history_empty")}</p>
        ) : (
          <ul class="console-history">
            {history.map((v) => (
              <li key={v.id} data-entry={v.id} data-status={v.status ?? ""}>
                <span class="history-value">
                  <strong class={v.status ? "" : "nums"}>{declaredText(v)}</strong>
                  {(v === current || formers.includes(v)) && <span class="tag can-edit">{t("declared.in_force")}</span>}
                  {v.value_date > today && <span class="tag">{t("declared.from_later", { date: date(v.value_date) })}</span>}
                </span>
                <span class="small">{t("declared.for_date", { date: date(v.value_date) })}</span>
                {v.unit_code !== code && <span class="small muted">{t("declared.of_former", { name: v.unit_name })}</span>}
                <span class="small muted" data-testid="declared-by">
                  {t("declared.entered", { name: v.entered_by_name || v.entered_by, when: when(v.entered_at) })}
                </span>
                {v.note && <span class="small note">{v.note}</span>}
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  )
}

interface FormProps {
  id: number
  code: string
  current: DeclaredValue | undefined
  onCancel: () => void
  onSaved: (v: DeclaredValue) => Promise<void>
}

const WHOLE = /^\d{1,9}$/

function DeclareForm({ id, code, current, onCancel, onSaved }: FormProps) {
  const today = vietnamToday()
  const [mode, setMode] = useState<"numbers" | "status">(current?.status ? "status" : "numbers")
  const [numerator, setNumerator] = useState(current && !current.status ? String(current.numerator) : "")
  const [denominator, setDenominator] = useState(current && !current.status ? String(current.denominator) : "")
  const [status, setStatus] = useState<DeclaredStatus | null>(current?.status ?? null)
  const [day, setDay] = useState(today)
  const [note, setNote] = useState("")
  // Once a save was tried, what is still wrong is said again at every keystroke.
  const [tried, setTried] = useState(false)
  const [failure, setFailure] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const n = numerator.trim()
  const d = denominator.trim()
  const numbersOk = WHOLE.test(n) && WHOLE.test(d) && Number(d) > 0 && Number(n) <= Number(d)

  /** The first thing to fix, in words, or null. */
  function check(): string | null {
    if (mode === "numbers") {
      if (!WHOLE.test(n) || !WHOLE.test(d)) return t("declared.err.whole")
      if (Number(d) <= 0) return t("declared.err.denominator")
      if (Number(n) > Number(d)) return t("declared.err.numerator")
    } else if (!status) return t("declared.err.status")
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || day > today) return t("declared.err.date")
    if ([...note].length > 1000) return t("declared.err.note")
    return null
  }

  async function save(e: Event) {
    e.preventDefault()
    setTried(true)
    setFailure(null)
    if (check()) return
    const body: Record<string, unknown> = { indicator_id: id, value_date: day }
    if (mode === "numbers") {
      body.numerator = Number(n)
      body.denominator = Number(d)
    } else body.status = status
    if (note.trim()) body.note = note.trim()
    setBusy(true)
    try {
      const v = await api<DeclaredValue>(`/api/v1/units/${encodeURIComponent(code)}/declared`, { method: "POST", body })
      await onSaved(v)
    } catch (err) {
      setFailure(err)
    } finally {
      setBusy(false)
    }
  }

  const problem = tried ? check() : null
  return (
    <form class="declare-form" onSubmit={save} noValidate>
      <div class="seg" role="group">
        <button type="button" name="mode-numbers" class={mode === "numbers" ? "on" : ""} aria-pressed={mode === "numbers"} onClick={() => setMode("numbers")}>
          {t("declared.mode_numbers")}
        </button>
        <button type="button" name="mode-status" class={mode === "status" ? "on" : ""} aria-pressed={mode === "status"} onClick={() => setMode("status")}>
          {t("declared.mode_status")}
        </button>
      </div>
      {mode === "numbers" ? (
        <div class="fraction">
          <label class="field">
            <span class="field-label">{t("declared.numerator")}</span>
            <input name="numerator" inputMode="numeric" autoComplete="off" value={numerator} onInput={(e) => setNumerator(e.currentTarget.value)} />
          </label>
          <span class="slash" aria-hidden="true">
            /
          </span>
          <label class="field">
            <span class="field-label">{t("declared.denominator")}</span>
            <input name="denominator" inputMode="numeric" autoComplete="off" value={denominator} onInput={(e) => setDenominator(e.currentTarget.value)} />
          </label>
          {numbersOk && (
            <p class="small muted rate-preview" data-testid="rate-preview">
              {t("declared.rate_preview", { pct: rate(Number(n) / Number(d)) })}
            </p>
          )}
        </div>
      ) : (
        <div class="console-choices" role="radiogroup" aria-label={t("declared.status")}>
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              role="radio"
              aria-checked={status === s}
              class={status === s ? "on" : ""}
              data-status={s}
              onClick={() => setStatus(s)}
            >
              {t(`declared.status.${s}`)}
            </button>
          ))}
        </div>
      )}
      <label class="field">
        <span class="field-label">{t("declared.value_date")}</span>
        <input type="date" name="value_date" value={day} max={today} onInput={(e) => setDay(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">{t("declared.note")}</span>
        <textarea name="note" rows={2} maxLength={1100} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <FormFooter
        problem={problem}
        problemId="declared-problem"
        failure={failure}
        busy={busy}
        onCancel={onCancel}
        saveName="save-declared"
        save={t("declared.save")}
        saving={t("declared.saving")}
      />
    </form>
  )
}

/** The first value of each unit in a list sorted newest first. */
function latestPerUnit(sorted: DeclaredValue[]): DeclaredValue[] {
  const seen = new Set<string>()
  return sorted.filter((v) => !seen.has(v.unit_code) && seen.add(v.unit_code))
}

/** Values of several units as one: numbers added up; one unit's value stays as it is (a status too). */
function sumOf(values: DeclaredValue[]): DeclaredValue {
  if (values.length === 1) return values[0]
  const numbers = values.filter((v) => !v.status)
  return {
    ...values[0],
    status: null,
    numerator: numbers.reduce((n, v) => n + v.numerator, 0),
    denominator: numbers.reduce((n, v) => n + v.denominator, 0),
  }
}
