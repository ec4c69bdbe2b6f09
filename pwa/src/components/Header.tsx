import type { ComponentChildren } from "preact"
import { t } from "../i18n"

/** Screen title with an optional back button (history back keeps the list's scroll and search). */
export function Header({ title, back, children }: { title: string; back?: boolean; children?: ComponentChildren }) {
  return (
    <header class="top">
      {back && (
        <button type="button" class="back" aria-label={t("back")} onClick={() => history.back()}>
          ‹
        </button>
      )}
      <h1>{title}</h1>
      {children}
    </header>
  )
}
