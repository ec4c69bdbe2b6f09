// The weekly-cycle screens (issue 15), loaded on first use (a separate chunk, precached for
// offline like the rest): the Friday report, the district's overview and the paper form, with
// their print stylesheet. A member who only records households never parses them.
import "../weekly/weekly.css"
import "../weekly/print.css"
export { WeeklyReport } from "./WeeklyReport"
export { Reports } from "./Reports"
export { PaperForm } from "./PaperForm"
