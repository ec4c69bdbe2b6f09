// The officials' console chunk (issue 14): the indicator table with drill-down, sorting, the
// ranking and the level compared, its messages and its styles.
import "./dash.css"
import { addMessages } from "../i18n"
import { drillEn, drillVi } from "./messages"

addMessages({ vi: drillVi, en: drillEn })

export { Dashboard } from "../screens/Dashboard"
