// What a role without access to a console screen sees: a sentence saying so, never a blank page.
import { session } from "../api/session"
import { t } from "../i18n"
import { Header } from "../components/Header"
import { atLeast } from "./access"

/** `hub`: offer the way to "Quản lý" (not on the hub itself, nor for a role without one). */
export function NotForRole({ title, hub = true }: { title: string; hub?: boolean }) {
  const role = session.value!.user.role
  return (
    <>
      <Header title={title} back />
      <section class="section" data-testid="not-for-role">
        <p class="warn">{t("console.not_for_role", { role: t(`role.${role}`).toLocaleLowerCase("vi") })}</p>
        {hub && atLeast(role, "team_lead") && (
          <>
            <p class="muted small">{t("console.not_for_role_hint")}</p>
            <a class="btn big" href="#/console">
              {t("console.open_hub")}
            </a>
          </>
        )}
      </section>
    </>
  )
}
