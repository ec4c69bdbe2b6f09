// A row of big toggle buttons for a small closed list (sex, VNeID level, visit outcome).
interface Props<T extends string | number> {
  label?: string
  value: T | null | undefined
  options: [T, string][]
  onChange: (v: T | null) => void
  readOnly?: boolean
  name?: string
  /** whether tapping the chosen option clears it */
  clearable?: boolean
}

export function Choice<T extends string | number>({ label, value, options, onChange, readOnly, name, clearable = true }: Props<T>) {
  return (
    <div class="choice" data-name={name}>
      {label && <span class="field-label">{label}</span>}
      <div class="seg wrap" role="radiogroup" aria-label={label}>
        {options.map(([v, text]) => (
          <button
            type="button"
            role="radio"
            aria-checked={value === v}
            data-value={String(v)}
            class={value === v ? "on" : ""}
            disabled={readOnly}
            onClick={() => onChange(value === v && clearable ? null : v)}
          >
            {text}
          </button>
        ))}
      </div>
    </div>
  )
}
