// The console screens of this part (issue 14), loaded on first use (a separate chunk, precached for
// offline like the rest): the unit tree, a unit's page, the units import, record problems, the
// access log, a household's change history and the reform of the tree, with their messages and
// styles.
import "./units.css"
import { addMessages } from "../i18n"
import { reviewEn, reviewVi } from "../i18n/review"
import { unitsEn, unitsVi } from "./messages"
import { reformEn, reformVi } from "./reform-messages"

// The field labels of review/fields.ts ("Xóa hộ", "… của Nguyễn Thị Lan") come with the review messages.
addMessages({ vi: { ...reviewVi, ...unitsVi, ...reformVi }, en: { ...reviewEn, ...unitsEn, ...reformEn } })

export { UnitTree } from "./UnitTree"
export { UnitPage } from "./UnitPage"
export { UnitImport } from "./UnitImport"
export { Problems } from "./Problems"
export { AccessLog } from "./AccessLog"
export { HouseholdHistory } from "./HouseholdHistory"
export { Reform } from "./Reform"
