// "Chỉ tiêu bổ sung" (#/indicators, province and admin): an indicator added as data, beside the
// model's 16, with no new version of the app. It counts persons aged 15+ (or households) who
// answer "Có" to a yes/no question of the survey, optionally among those who answer "Có" to
// another; the rate is over those asked the question (people surveyed before it existed are not
// counted against it), and every table shows "đã hỏi n/m" beside it. The server takes any
// condition of the survey's language (docs/SCHEMA.md "Indicators as data"); this form writes
// the common one. Removing an indicator drops its targets and counts, never an answer.
import { useEffect, useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import { useCached } from "../hooks/useCached"
import { useBusy } from "../hooks/useBusy"
import { Header } from "../components/Header"
import { Dialog } from "../components/Dialog"
import { ErrorNote } from "../components/ErrorNote"
import { survey, say, type Field, type SurveyDefinition } from "../survey/definition"
import type { CatalogueEntry, IndicatorRule } from "../dash/types"
import { targetText } from "../dash/format"
import { num, t } from "../i18n"
import { NotForRole } from "./NotForRole"

type Counts = IndicatorRule["counts"]
type RateAmong = NonNullable<IndicatorRule["rate_among"]>
const SECTION: Record<Counts, "person" | "household"> = { persons: "person", households: "household" }

export function Indicators() {
  const me = session.value!.user
  if (me.role !== "province" && me.role !== "admin") return <NotForRole title={t("rules.title")} />
  return <IndicatorsScreen />
}

/** The yes/no questions still asked in a section, which a rule can count. */
const yesNo = (def: SurveyDefinition, counts: Counts): Field[] => def[SECTION[counts]].filter((f) => f.type === "yes_no" && !f.hidden)

/** The key a `{"yes": key}` condition names (what this form writes). */
const yesKey = (c: unknown): string | null => (c && typeof c === "object" && "yes" in c && typeof c.yes === "string" ? c.yes : null)

function IndicatorsScreen() {
  const catalogue = useCached<CatalogueEntry[]>("/api/v1/indicators")
  const def = survey.value
  const [counts, setCounts] = useState<Counts>("persons")
  const [nameVi, setNameVi] = useState("")
  const [nameEn, setNameEn] = useState("")
  const [question, setQuestion] = useState("")
  const [among, setAmong] = useState("")
  const [rateAmong, setRateAmong] = useState<RateAmong>("asked")
  const [target, setTarget] = useState("80")
  const [notice, setNotice] = useState<string | null>(null)
  const [removing, setRemoving] = useState<CatalogueEntry | null>(null)
  const { busy, error, run } = useBusy()
  const questions = yesNo(def, counts)
  const label = (c: Counts, key: string | null) => say(def[SECTION[c]].find((f) => f.key === key)?.label) || key || ""
  const percent = Number(target.replace(",", "."))
  const ready = nameVi.trim() !== "" && question !== "" && percent > 0 && percent <= 100
  const added = (catalogue.data ?? []).filter((c) => c.rule && !c.built_in)
  // While villages are first counted, ask again every few seconds until it is done.
  const counting = added.some((c) => c.counting)
  useEffect(() => {
    if (!counting) return
    const timer = setInterval(() => void catalogue.reload(), 3000)
    return () => clearInterval(timer)
  }, [counting, catalogue.reload])
  // A rule written through the API in the wider condition language is named as such.
  const describe = (r: IndicatorRule) => {
    const [num, den] = [yesKey(r.numerator), r.denominator ? yesKey(r.denominator) : null]
    if (!num || (r.denominator && !den)) return t(`rules.custom.${r.counts}`)
    return t(`rules.reads.${r.counts}`, { question: label(r.counts, num) }) + (den ? ` ${t("rules.among", { question: label(r.counts, den) })}` : "")
  }

  const add = () =>
    run(async () => {
      const rule: IndicatorRule = {
        counts,
        numerator: { yes: question },
        ...(among ? { denominator: { yes: among } } : {}),
        ...(rateAmong === "eligible" ? { rate_among: rateAmong } : {}),
      }
      const made = await api<CatalogueEntry>("/api/v1/indicators", {
        method: "POST",
        body: { name_vi: nameVi.trim(), name_en: nameEn.trim(), default_target: percent / 100, rule },
      })
      setNotice(t("rules.added", { id: String(made.id) }))
      setNameVi("")
      setNameEn("")
      setQuestion("")
      setAmong("")
      setRateAmong("asked")
      await catalogue.reload()
    })
  const remove = (entry: CatalogueEntry) =>
    run(async () => {
      setRemoving(null)
      await api(`/api/v1/indicators/${entry.id}`, { method: "DELETE" })
      setNotice(t("rules.removed", { id: String(entry.id) }))
      await catalogue.reload()
    })

  return (
    <>
      <Header title={t("rules.title")} back />
      <p class="pad">{t("rules.intro")}</p>
      <section class="section" data-testid="rules-list">
        <h2>{t("rules.list")}</h2>
        {added.length === 0 ? (
          <p class="muted">{t("rules.none")}</p>
        ) : (
          <ul class="rule-list">
            {added.map((c) => (
              <li key={c.id} data-indicator={c.id}>
                <strong>
                  {c.id}. {c.name_vi}
                </strong>
                <span class="small muted">{c.rule && describe(c.rule)}</span>
                <span class="small">{t("rules.target", { text: targetText(c.default_target) })}</span>
                {c.counting && (
                  <span class="small" data-testid="counting" role="status">
                    {t("rules.counting", { done: num(c.counting.villages_counted), of: num(c.counting.villages) })}
                  </span>
                )}
                <button type="button" class="btn" name="remove_indicator" disabled={busy} onClick={() => setRemoving(c)}>
                  {t("rules.remove")}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="section" data-testid="rules-form">
        <h2>{t("rules.add")}</h2>
        <label class="field">
          <span class="field-label">{t("rules.name_vi")}</span>
          <input name="name_vi" value={nameVi} maxLength={300} onInput={(e) => setNameVi(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t("rules.name_en")}</span>
          <input name="name_en" value={nameEn} maxLength={300} onInput={(e) => setNameEn(e.currentTarget.value)} />
        </label>
        <div class="field">
          <span class="field-label">{t("rules.counts")}</span>
          <div class="seg" role="group">
            {(["persons", "households"] as Counts[]).map((c) => (
              <button
                key={c}
                type="button"
                class={counts === c ? "on" : ""}
                aria-pressed={counts === c}
                data-counts={c}
                onClick={() => {
                  setCounts(c)
                  setQuestion("")
                  setAmong("")
                }}
              >
                {t(`rules.counts.${c}`)}
              </button>
            ))}
          </div>
        </div>
        <label class="field">
          <span class="field-label">{t("rules.question")}</span>
          <select name="question" value={question} onChange={(e) => setQuestion(e.currentTarget.value)}>
            <option value="">{t("rules.pick")}</option>
            {questions.map((f) => (
              <option key={f.key} value={f.key}>
                {say(f.label)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t("rules.among_label")}</span>
          <select name="among" value={among} onChange={(e) => setAmong(e.currentTarget.value)}>
            <option value="">{t(`rules.everyone.${counts}`)}</option>
            {questions
              .filter((f) => f.key !== question)
              .map((f) => (
                <option key={f.key} value={f.key}>
                  {t("rules.answered_yes", { question: say(f.label) })}
                </option>
              ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t("rules.target_label")}</span>
          <input name="target" inputMode="decimal" value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
        </label>
        <div class="field">
          <span class="field-label">{t("rules.rate_label")}</span>
          <div class="seg" role="group">
            {(["asked", "eligible"] as RateAmong[]).map((r) => (
              <button key={r} type="button" class={rateAmong === r ? "on" : ""} aria-pressed={rateAmong === r} data-rate={r} onClick={() => setRateAmong(r)}>
                {t(`rules.rate.${r}`)}
              </button>
            ))}
          </div>
        </div>
        <p class="small muted">{t(rateAmong === "asked" ? "rules.asked_rule" : "rules.eligible_rule")}</p>
        <div class="actions lead-action">
          <button type="button" class="btn primary" name="add_indicator" disabled={busy || !ready} onClick={() => void add()}>
            {t("rules.add_button")}
          </button>
        </div>
        {notice && (
          <p class="ok" role="status">
            {notice}
          </p>
        )}
        <ErrorNote error={error} />
      </section>
      {removing && (
        <Dialog title={t("rules.remove_title", { id: String(removing.id) })} confirm={t("rules.remove")} cancel={t("cancel")} onCancel={() => setRemoving(null)} onConfirm={() => void remove(removing)}>
          <p>{t("rules.remove_body")}</p>
        </Dialog>
      )}
    </>
  )
}
