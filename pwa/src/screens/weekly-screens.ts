// The weekly-cycle screens (issue 15), loaded on first use (a separate chunk, precached for
// offline like the rest): the Friday report and the district's overview, with their
// print stylesheet. A member who only records households never parses them.
import "../weekly/weekly.css"
import "../weekly/print.css"
export { WeeklyReport } from "./WeeklyReport"
export { Reports } from "./Reports"
