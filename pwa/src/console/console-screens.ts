// The officials' console (issue 14: the hub, declared indicators, targets, campaigns), loaded on
// first use as its own chunk (precached for offline like the rest) with its messages and styles:
// a member who only records households never parses them.
import "./console.css"
import { addMessages } from "../i18n"
import { consoleEn, consoleVi } from "./messages"
import { surveyEn, surveyVi } from "./survey-messages"
import { rulesEn, rulesVi } from "./rules-messages"

addMessages({ vi: { ...consoleVi, ...surveyVi, ...rulesVi }, en: { ...consoleEn, ...surveyEn, ...rulesEn } })

export { Hub } from "./Hub"
export { Declared } from "./Declared"
export { Targets } from "./Targets"
export { Campaigns } from "./Campaigns"
export { Survey } from "./Survey"
export { RawData } from "./RawData"
export { Indicators } from "./Indicators"
