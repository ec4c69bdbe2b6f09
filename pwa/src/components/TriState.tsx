// One checklist question: Yes / No / not asked yet (null). Big buttons, one tap each.
import { t } from "../i18n"

interface Props {
  label: string
  value: boolean | null | undefined
  onChange: (v: boolean | null) => void
  readOnly?: boolean
  name?: string
}

export function TriState({ label, value, onChange, readOnly, name }: Props) {
  const options: [boolean | null, string][] = [
    [true, t("yes")],
    [false, t("no")],
  ]
  return (
    <div class="tri" data-name={name}>
      <span class="tri-label">{label}</span>
      <div class="seg" role="radiogroup" aria-label={label}>
        {options.map(([v, text]) => (
          <button
            type="button"
            role="radio"
            aria-checked={value === v}
            class={value === v ? (v ? "on yes" : "on no") : ""}
            disabled={readOnly}
            // Tapping the chosen answer again clears it back to "not asked".
            onClick={() => onChange(value === v ? null : v)}
          >
            {text}
          </button>
        ))}
      </div>
    </div>
  )
}
