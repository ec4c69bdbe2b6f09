// t() for the weekly-cycle screens: their own messages (weekly/messages.ts, in their chunk) first,
// then the app's (i18n/index.ts). Placeholders and number formats as t() does them.
import { lang, num, t as appT } from "../i18n"
import { weeklyEn, weeklyVi } from "./messages"

type Key = keyof typeof weeklyVi

export function t(key: Key | string, params?: Record<string, string | number>): string {
  const own = (lang.value === "en" ? weeklyEn : weeklyVi) as Record<string, string>
  const text = own[key] ?? (weeklyVi as Record<string, string>)[key]
  if (text === undefined) return appT(key, params)
  return params ? text.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? (typeof params[k] === "number" ? num(params[k]) : String(params[k])) : `{${k}}`)) : text
}
