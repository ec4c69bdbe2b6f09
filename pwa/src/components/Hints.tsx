import type { Hint } from "../survey/validate"
import { t } from "../i18n"

/** Validation hints under a field: informative, never blocking. */
export function Hints({ hints }: { hints: Hint[] }) {
  if (!hints.length) return null
  return (
    <ul class="hints">
      {hints.map((h) => (
        <li key={h.key} class={`hint hint-${h.level}`}>
          {h.level === "warn" ? "⚠ " : "✓ "}
          {t(h.key, h.params)}
        </li>
      ))}
    </ul>
  )
}
