// A console screen from its chunk (console/console-screens.ts), loaded once on first use, like the team
// and weekly screens.
import { useEffect, useState } from "preact/hooks"
import type { JSX } from "preact"
import { t } from "../i18n"

type ConsoleScreens = typeof import("./console-screens")
let loaded: ConsoleScreens | undefined

export function ConsoleScreen({ show }: { show: (s: ConsoleScreens) => JSX.Element }) {
  const [mod, setMod] = useState(loaded)
  useEffect(() => {
    if (!mod) void import("./console-screens").then((x) => setMod((loaded = x)))
  }, [mod])
  return mod ? <div class="console-page">{show(mod)}</div> : <p class="empty">{t("loading")}</p>
}
