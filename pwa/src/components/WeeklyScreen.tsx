// A weekly-cycle screen (Friday report, the district's overview, the paper form) from its chunk,
// loaded once on first use, like the team screens.
import { useEffect, useState } from "preact/hooks"
import type { JSX } from "preact"
import { t } from "../i18n"

type WeeklyScreens = typeof import("../screens/weekly-screens")
let loaded: WeeklyScreens | undefined

export function WeeklyScreen({ show }: { show: (s: WeeklyScreens) => JSX.Element }) {
  const [mod, setMod] = useState(loaded)
  useEffect(() => {
    if (!mod) void import("../screens/weekly-screens").then((x) => setMod((loaded = x)))
  }, [mod])
  return mod ? show(mod) : <p class="empty">{t("loading")}</p>
}
