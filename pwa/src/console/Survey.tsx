// "Bảng hỏi" (#/survey, province and admin): the survey definition as data. The versions published
// so far; a draft (saved on the server, so it survives a closed phone) where questions are added,
// hidden or shown again and their wording changed; "Xuất bản" makes it the version phones use at
// their next connection. What would break a phone on an earlier version (removing, retyping) is
// not offered here, and the server refuses it anyway with its reasons.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import { api } from "../api/http"
import { useCached } from "../hooks/useCached"
import { useBusy } from "../hooks/useBusy"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { Dialog } from "../components/Dialog"
import { date, t } from "../i18n"
import { keepSurvey, say, type Condition, type Field, type FieldType, type SectionName, type SurveyDefinition } from "../survey/definition"
import { fold } from "../util/fold"
import { FIELD_TYPES, RESERVED_KEYS } from "../schema"
import { NotForRole } from "./NotForRole"

interface Problem {
  field: string
  rule: string
  message: string
}
interface Version {
  definition: SurveyDefinition
  published_by: string | null
  /** Unix seconds */
  published_at: number | null
}
interface Draft {
  definition: SurveyDefinition
  saved_by: string
  saved_at: number
  problems: Problem[]
}
interface Overview {
  versions: Version[]
  draft: Draft | null
}

const SECTIONS: SectionName[] = ["household", "person", "visit"]

/** A key from a Vietnamese label: "Đã cài app Công dân" → "da_cai_app_cong_dan". */
export const keyOf = (label: string) =>
  fold(label)
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+|_+$/g, "")
    .slice(0, 48)

/** The rule the editor writes for "hỏi khi nào": a person's questions are for those aged 15+, as the whole checklist is; `when` is a yes/no question's key or "". */
function ruleFor(section: SectionName, when: string): Condition | undefined {
  const adult: Condition = { age_at_least: 15 }
  if (section === "person") return when ? { all: [adult, { yes: when }] } : adult
  return when ? { yes: when } : undefined
}

/** The editor's choice for a rule it wrote; null for a rule written some other way (kept as it is). */
function whenOf(section: SectionName, rule: Condition | undefined): string | null {
  for (const candidate of [rule && "yes" in rule ? rule.yes : "", rule && "all" in rule && rule.all[1] && "yes" in rule.all[1] ? rule.all[1].yes : ""]) {
    if (JSON.stringify(ruleFor(section, candidate)) === JSON.stringify(rule)) return candidate
  }
  return null
}

/** "Hỏi khi nào": always (or 15+ for a person), or when a yes/no question of the section is Có. */
function WhenSelect({ def, section, value, onChange, except }: { def: SurveyDefinition; section: SectionName; value: string | null; onChange: (when: string) => void; except?: string }) {
  const yesNo = def[section].filter((f) => f.type === "yes_no" && !f.hidden && f.key !== except)
  return (
    <label class="field">
      <span class="field-label">{t("survey.when")}</span>
      <select name="when" value={value ?? "custom"} onChange={(e) => onChange(e.currentTarget.value)}>
        {value === null && <option value="custom">{t("survey.when_custom")}</option>}
        <option value="">{section === "person" ? t("survey.when_adult") : t("survey.when_always")}</option>
        {yesNo.map((f) => (
          <option key={f.key} value={f.key}>
            {t("survey.when_yes", { label: say(f.label) })}
          </option>
        ))}
      </select>
    </label>
  )
}

export function Survey() {
  const me = session.value!.user
  if (me.role !== "province" && me.role !== "admin") return <NotForRole title={t("survey.title")} />
  return <SurveyScreen />
}

function SurveyScreen() {
  const overview = useCached<Overview>("/api/v1/survey/versions")
  const [work, setWork] = useState<SurveyDefinition | null>(null)
  const [problems, setProblems] = useState<Problem[] | null>(null)
  const [confirm, setConfirm] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, error, run } = useBusy()
  const data = overview.data
  const current = data?.versions[data.versions.length - 1]
  // The working copy: what was edited here, else the saved draft, else the current version.
  const def = work ?? data?.draft?.definition ?? current?.definition
  const shownProblems = problems ?? data?.draft?.problems ?? []
  const edit = (next: SurveyDefinition) => {
    setWork(next)
    setNotice(null)
  }
  const save = () =>
    run(async () => {
      const saved = await api<Draft>("/api/v1/survey/draft", { method: "PUT", body: def })
      setProblems(saved.problems)
      setWork(saved.definition)
      setNotice(saved.problems.length ? null : t("survey.saved"))
      await overview.reload()
    })
  const publish = () =>
    run(async () => {
      setConfirm(false)
      await api<Draft>("/api/v1/survey/draft", { method: "PUT", body: def })
      const v = await api<Version>("/api/v1/survey/draft/publish", { method: "POST" })
      keepSurvey(v.definition)
      setWork(null)
      setProblems(null)
      // The current version shown first, so the notice never sits beside the old one.
      await overview.reload()
      setNotice(t("survey.published", { n: v.definition.version }))
    })
  const discard = () =>
    run(async () => {
      await api("/api/v1/survey/draft", { method: "DELETE" })
      setWork(null)
      setProblems(null)
      await overview.reload()
    })
  const changed = !!work || !!data?.draft
  return (
    <>
      <Header title={t("survey.title")} back />
      {overview.offline && <p class="muted pad small">{t("cache.offline")}</p>}
      <ErrorNote error={overview.failure} />
      {current && (
        <p class="pad" data-testid="survey-current">
          {t("survey.current", { n: current.definition.version })}
          {current.published_at ? ` · ${t("survey.published_on", { date: date(current.published_at * 1000), by: current.published_by ?? "" })}` : ` · ${t("survey.built_in")}`}
        </p>
      )}
      {def && (
        <>
          {SECTIONS.map((s) => (
            <SectionEditor key={s} def={def} section={s} onChange={edit} base={current?.definition} />
          ))}
          <section class="section" data-testid="survey-actions">
            {shownProblems.length > 0 && (
              <div class="error" role="alert" data-testid="survey-problems">
                <p>{t("survey.problems", { n: shownProblems.length })}</p>
                <ul>
                  {shownProblems.map((p, i) => (
                    <li key={i} data-rule={p.rule}>
                      <strong>{p.field || t("survey.whole")}</strong>: {t(`survey.rule.${p.rule}`)}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {notice && (
              <p class="ok" role="status" data-testid="survey-notice">
                {notice}
              </p>
            )}
            <ErrorNote error={error} />
            <div class="actions lead-action">
              {changed && (
                <button type="button" class="btn" name="discard" disabled={busy} onClick={() => void discard()}>
                  {t("survey.discard")}
                </button>
              )}
              <button type="button" class="btn" name="save_draft" disabled={busy || !changed} onClick={() => void save()}>
                {t("survey.save")}
              </button>
              <button type="button" class="btn primary" name="publish" disabled={busy || !changed} onClick={() => setConfirm(true)}>
                {t("survey.publish", { n: (current?.definition.version ?? 1) + 1 })}
              </button>
            </div>
          </section>
          {data && data.versions.length > 1 && (
            <section class="section">
              <h2>{t("survey.versions")}</h2>
              <ul class="rows compact">
                {[...data.versions].reverse().map((v) => (
                  <li key={v.definition.version} class="row">
                    <span class="row-main">
                      <strong>{t("survey.version", { n: v.definition.version })}</strong>
                      <span class="small muted">{v.published_at ? t("survey.published_on", { date: date(v.published_at * 1000), by: v.published_by ?? "" }) : t("survey.built_in")}</span>
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {confirm && (
        <Dialog title={t("survey.publish", { n: (current?.definition.version ?? 1) + 1 })} confirm={t("survey.publish_confirm")} cancel={t("cancel")} onCancel={() => setConfirm(false)} onConfirm={() => void publish()}>
          <p>{t("survey.publish_body")}</p>
        </Dialog>
      )}
    </>
  )
}

function SectionEditor({ def, section, onChange, base }: { def: SurveyDefinition; section: SectionName; onChange: (d: SurveyDefinition) => void; base?: SurveyDefinition }) {
  const [adding, setAdding] = useState(false)
  const fields = def[section]
  const setField = (i: number, f: Field) => onChange({ ...def, [section]: fields.map((x, j) => (j === i ? f : x)) })
  const isNew = (key: string) => !!base && !base[section].some((f) => f.key === key)
  return (
    <section class="section" data-section={section}>
      <h2>{t(`survey.section.${section}`)}</h2>
      <ul class="rows compact survey-fields">
        {fields.map((f, i) => (
          <FieldRow key={f.key} def={def} section={section} field={f} fresh={isNew(f.key)} onChange={(x) => setField(i, x)} />
        ))}
      </ul>
      {adding ? (
        <AddField
          def={def}
          section={section}
          onCancel={() => setAdding(false)}
          onAdd={(f) => {
            onChange({ ...def, [section]: [...fields, f] })
            setAdding(false)
          }}
        />
      ) : (
        <button type="button" class="btn" name={`add_${section}`} onClick={() => setAdding(true)}>
          + {t("survey.add")}
        </button>
      )}
    </section>
  )
}

function FieldRow({ def, section, field, fresh, onChange }: { def: SurveyDefinition; section: SectionName; field: Field; fresh: boolean; onChange: (f: Field) => void }) {
  const [open, setOpen] = useState(false)
  return (
    <li data-field-key={field.key} class={field.hidden ? "muted" : ""}>
      <div class="row">
        <span class="row-main">
          <strong>{say(field.label)}</strong>
          <span class="small muted">
            {field.key} · {t(`survey.type.${field.type}`)}
            {field.relevant ? ` · ${t("survey.conditional")}` : ""}
          </span>
        </span>
        {fresh && <span class="tag can-edit">{t("survey.new")}</span>}
        {field.hidden && <span class="tag">{t("survey.hidden")}</span>}
        <button type="button" class="btn small" name="edit" onClick={() => setOpen(!open)}>
          {t("survey.edit")}
        </button>
      </div>
      {open && (
        <div class="pad">
          <label class="field">
            <span class="field-label">{t("survey.label_vi")}</span>
            <input name="label_vi" value={field.label.vi} onInput={(e) => onChange({ ...field, label: { ...field.label, vi: e.currentTarget.value } })} />
          </label>
          <label class="field">
            <span class="field-label">{t("survey.label_en")}</span>
            <input name="label_en" value={field.label.en ?? ""} onInput={(e) => onChange({ ...field, label: { ...field.label, en: e.currentTarget.value } })} />
          </label>
          <label class="field">
            <span class="field-label">{t("survey.hint")}</span>
            <input name="hint_vi" value={field.hint?.vi ?? ""} onInput={(e) => onChange({ ...field, hint: e.currentTarget.value ? { vi: e.currentTarget.value, en: field.hint?.en ?? "" } : undefined })} />
          </label>
          {(field.type === "choice" || field.type === "choices") && <ChoicesEditor field={field} onChange={onChange} />}
          <WhenSelect
            def={def}
            section={section}
            except={field.key}
            value={whenOf(section, field.relevant)}
            onChange={(w) => {
              if (w === "custom") return
              const { relevant: _, ...rest } = field
              const rule = ruleFor(section, w)
              onChange(rule ? { ...rest, relevant: rule } : rest)
            }}
          />
          <button type="button" class="btn" name={field.hidden ? "show" : "hide"} onClick={() => onChange({ ...field, hidden: !field.hidden || undefined })}>
            {field.hidden ? t("survey.show") : t("survey.hide")}
          </button>
          <p class="small muted">{field.hidden ? t("survey.hidden_note") : t("survey.hide_note")}</p>
        </div>
      )}
    </li>
  )
}

/** A question's choices: each hidden or offered again, and new ones added (never removed). */
function ChoicesEditor({ field, onChange }: { field: Field; onChange: (f: Field) => void }) {
  const [label, setLabel] = useState("")
  const choices = field.choices ?? []
  const numbers = choices.some((c) => typeof c.value === "number")
  const value = numbers ? Math.max(-1, ...choices.map((c) => Number(c.value))) + 1 : keyOf(label)
  const taken = choices.some((c) => c.value === value)
  const set = (i: number, hidden: boolean) => onChange({ ...field, choices: choices.map((c, j) => (j === i ? { ...c, hidden: hidden || undefined } : c)) })
  return (
    <div class="field" data-testid="choices-editor">
      <span class="field-label">{t("survey.choices_of")}</span>
      <ul class="rows compact survey-fields">
        {choices.map((c, i) => (
          <li key={String(c.value)} class={`row ${c.hidden ? "muted" : ""}`} data-choice={String(c.value)}>
            <span class="row-main">
              <span>{say(c.label)}</span>
            </span>
            <button type="button" class="btn small" name={c.hidden ? "show_choice" : "hide_choice"} onClick={() => set(i, !c.hidden)}>
              {c.hidden ? t("survey.show") : t("survey.hide_choice")}
            </button>
          </li>
        ))}
      </ul>
      <div class="inline-form">
        <input name="new_choice" placeholder={t("survey.new_choice")} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        <button
          type="button"
          class="btn"
          name="add_choice"
          disabled={!label.trim() || value === "" || taken}
          onClick={() => {
            onChange({ ...field, choices: [...choices, { value, label: { vi: label.trim() } }] })
            setLabel("")
          }}
        >
          + {t("survey.add_it")}
        </button>
      </div>
    </div>
  )
}

function AddField({ def, section, onAdd, onCancel }: { def: SurveyDefinition; section: SectionName; onAdd: (f: Field) => void; onCancel: () => void }) {
  const [vi, setVi] = useState("")
  const [en, setEn] = useState("")
  const [key, setKey] = useState<string | null>(null)
  const [type, setType] = useState<FieldType>("yes_no")
  const [choices, setChoices] = useState("")
  const [when, setWhen] = useState("")
  const k = key ?? keyOf(vi)
  const taken = def[section].some((f) => f.key === k) || (RESERVED_KEYS[section] as readonly string[]).includes(k)
  const needsChoices = type === "choice" || type === "choices"
  const choiceLines = choices
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
  const problem = !vi.trim() ? t("survey.need_label") : !k ? t("survey.need_key") : taken ? t("survey.key_taken", { key: k }) : needsChoices && !choiceLines.length ? t("survey.need_choices") : null
  const add = () => {
    if (problem) return
    const relevant = ruleFor(section, when)
    onAdd({
      key: k,
      type,
      label: { vi: vi.trim(), en: en.trim() },
      ...(needsChoices ? { choices: choiceLines.map((l) => ({ value: keyOf(l), label: { vi: l } })) } : {}),
      ...(relevant ? { relevant } : {}),
    })
  }
  return (
    <form
      class="card pad"
      data-testid="add-field"
      onSubmit={(e) => {
        e.preventDefault()
        add()
      }}
    >
      <label class="field">
        <span class="field-label">{t("survey.label_vi")}</span>
        <input name="new_label_vi" value={vi} onInput={(e) => setVi(e.currentTarget.value)} autoFocus />
      </label>
      <label class="field">
        <span class="field-label">{t("survey.label_en")}</span>
        <input name="new_label_en" value={en} onInput={(e) => setEn(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">{t("survey.key")}</span>
        <input name="new_key" value={k} onInput={(e) => setKey(e.currentTarget.value)} autoCapitalize="off" />
        <span class="small muted">{t("survey.key_note")}</span>
      </label>
      <label class="field">
        <span class="field-label">{t("survey.type")}</span>
        <select name="new_type" value={type} onChange={(e) => setType(e.currentTarget.value as FieldType)}>
          {FIELD_TYPES.map((x) => (
            <option key={x} value={x}>
              {t(`survey.type.${x}`)}
            </option>
          ))}
        </select>
      </label>
      {needsChoices && (
        <label class="field">
          <span class="field-label">{t("survey.choices")}</span>
          <textarea name="new_choices" rows={4} value={choices} onInput={(e) => setChoices(e.currentTarget.value)} />
        </label>
      )}
      <WhenSelect def={def} section={section} value={when} onChange={setWhen} />
      {problem && (vi || key) && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <div class="actions">
        <button type="button" class="btn" onClick={onCancel}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" name="add_field" disabled={!!problem}>
          {t("survey.add_it")}
        </button>
      </div>
    </form>
  )
}
