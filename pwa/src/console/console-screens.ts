// The officials' console (issue 14: the hub, declared indicators, targets, campaigns), loaded on
// first use as its own chunk (precached for offline like the rest) with its messages and styles:
// a member who only records households never parses them.
import "./console.css"
import { addMessages } from "../i18n"
import { consoleEn, consoleVi } from "./messages"

addMessages({ vi: consoleVi, en: consoleEn })

export { Hub } from "./Hub"
export { Declared } from "./Declared"
export { Targets } from "./Targets"
export { Campaigns } from "./Campaigns"
