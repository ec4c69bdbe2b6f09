// The officials' console (the indicator table, drill-down, ranking) from its chunk, loaded once
// on first use like the team and weekly screens: a member who only records households never
// parses it.
import { useEffect, useState } from "preact/hooks"
import type { JSX } from "preact"
import { t } from "../i18n"

type DashScreens = typeof import("./dash-screens")
let loaded: DashScreens | undefined

export function DashScreen({ show }: { show: (s: DashScreens) => JSX.Element }) {
  const [mod, setMod] = useState(loaded)
  useEffect(() => {
    if (!mod) void import("./dash-screens").then((x) => setMod((loaded = x)))
  }, [mod])
  return mod ? show(mod) : <p class="empty">{t("loading")}</p>
}
