// One question of the survey definition, drawn by its type: yes/no, a choice, several choices,
// a number, a year, a text, a phone number or a citizen ID (with the typo hints of each), and
// "Cần trả lời" under a required one still empty (a reminder: the record is saved all the same).
// The screen says how to save; a field not asked (hidden, or its rule false) is not drawn at all.
import type { Field, ChoiceValue } from "../survey/definition"
import { isAnswered, say } from "../survey/definition"
import { t } from "../i18n"
import { str } from "../survey/read"
import { checkBirthYear, checkCccd, checkPhone, digitsOnly, normalizePhone, type Hint } from "../survey/validate"
import type { Sex } from "../schema"
import { TextField } from "./TextField"
import { TriState } from "./TriState"
import { Choice } from "./Choice"

type Value = string | number | boolean | null

interface Props {
  field: Field
  /** the record the field belongs to (for its value, and the CCCD's birth year and sex) */
  record: Record<string, unknown>
  onChange: (key: string, value: Value) => void
  /** several choices: tick or untick one */
  onTick?: (key: string, choice: string, on: boolean) => void
  readOnly: boolean
}

const whole = (x: string) => (x && Number.isInteger(Number(x)) ? Number(x) : null)

function rangeHint(field: Field) {
  return (x: string): Hint[] => {
    const n = whole(x)
    if (x && n === null) return [{ key: "hint.whole_number", level: "warn" }]
    if (n !== null && ((field.min ?? n) > n || (field.max ?? n) < n))
      return [{ key: "hint.number_range", params: { min: field.min ?? "…", max: field.max ?? "…" }, level: "warn" }]
    return []
  }
}

export function FieldInput({ field, record, onChange, onTick, readOnly }: Props) {
  const label = say(field.label)
  const value = record[field.key]
  const k = field.key
  const body = (() => {
    switch (field.type) {
      case "yes_no":
        return <TriState name={k} label={label} value={value as boolean | null | undefined} onChange={(x) => onChange(k, x)} readOnly={readOnly} />
      case "choice": {
        const options = (field.choices ?? []).filter((c) => !c.hidden || c.value === value).map((c): [ChoiceValue, string] => [c.value, say(c.label)])
        const current = typeof value === "number" ? value : str(value) || null
        return <Choice<ChoiceValue> label={label} name={k} value={current} options={options} onChange={(x) => onChange(k, x ?? null)} readOnly={readOnly} />
      }
      case "choices": {
        const ticks = (value ?? {}) as Record<string, boolean>
        return (
          <>
            <span class="field-label">{label}</span>
            <div class="checks">
              {(field.choices ?? [])
                .filter((c) => !c.hidden || ticks[String(c.value)])
                .map((c) => (
                  <label class="check" key={String(c.value)}>
                    <input type="checkbox" name={`${k}.${c.value}`} checked={!!ticks[String(c.value)]} disabled={readOnly} onChange={(ev) => onTick?.(k, String(c.value), ev.currentTarget.checked)} />
                    {say(c.label)}
                  </label>
                ))}
            </div>
          </>
        )
      }
      case "year":
        return (
          <TextField label={label} name={k} type="number" value={value ? String(value) : ""} onCommit={(x) => onChange(k, whole(x))} hints={(x) => checkBirthYear(whole(x) ?? undefined)} readOnly={readOnly} />
        )
      case "number":
        return <TextField label={label} name={k} type="number" value={value === undefined || value === null ? "" : String(value)} onCommit={(x) => onChange(k, whole(x))} hints={rangeHint(field)} readOnly={readOnly} />
      case "phone":
        return <TextField label={label} name={k} type="tel" value={str(value)} onCommit={(x) => onChange(k, x ? normalizePhone(x) : "")} hints={checkPhone} readOnly={readOnly} />
      case "citizen_id": {
        const born = typeof record.birth_year === "number" ? record.birth_year : undefined
        const sex = (str(record.sex) || undefined) as Sex | undefined
        return <TextField label={label} name={k} type="number" value={str(value)} onCommit={(x) => onChange(k, digitsOnly(x))} hints={(x) => checkCccd(x, born, sex)} readOnly={readOnly} />
      }
      case "date":
        return <TextField label={label} name={k} inputMode="numeric" placeholder="2026-12-31" value={str(value)} onCommit={(x) => onChange(k, x)} readOnly={readOnly} />
      default:
        return <TextField label={label} name={k} value={str(value)} onCommit={(x) => onChange(k, x)} readOnly={readOnly} />
    }
  })()
  return (
    <div class="field-wrap" data-field={k}>
      {body}
      {field.hint && <p class="small muted field-hint">{say(field.hint)}</p>}
      {field.required && !readOnly && !isAnswered(value) && (
        <p class="small warn field-hint" data-required>
          {t("field.required")}
        </p>
      )}
    </div>
  )
}
