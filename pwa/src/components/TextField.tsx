// A labelled text input that commits on blur/Enter (one document change per edited field, not per
// keystroke) and follows remote updates while it is not being edited.
import { useEffect, useRef, useState } from "preact/hooks"
import type { Hint } from "../survey/validate"
import { Hints } from "./Hints"

interface Props {
  label: string
  value: string
  onCommit: (value: string) => void
  hints?: (draft: string) => Hint[]
  type?: "text" | "tel" | "number"
  inputMode?: "text" | "numeric" | "tel"
  placeholder?: string
  name?: string
  readOnly?: boolean
  autoFocus?: boolean
}

export function TextField({ label, value, onCommit, hints, type = "text", inputMode, placeholder, name, readOnly, autoFocus }: Props) {
  const [draft, setDraft] = useState(value)
  const editing = useRef(false)
  useEffect(() => {
    if (!editing.current) setDraft(value)
  }, [value])
  const commit = () => {
    editing.current = false
    if (draft.trim() !== value) onCommit(draft.trim())
  }
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <input
        name={name}
        // ("tel" shows the phone keypad; Preact's typings only take one literal here.)
        type={(type === "number" ? "text" : type) as "text"}
        inputMode={inputMode ?? (type === "number" ? "numeric" : undefined)}
        value={draft}
        placeholder={placeholder}
        readOnly={readOnly}
        autoFocus={autoFocus}
        autoComplete="off"
        onFocus={() => (editing.current = true)}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
      />
      {hints && <Hints hints={hints(draft)} />}
    </label>
  )
}
