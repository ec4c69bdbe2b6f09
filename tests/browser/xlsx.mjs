// Reads the cells of an XLSX file with nothing but node's zlib: an XLSX is a zip of XML parts,
// and the reports need only the first sheet's values (numbers, and strings from the shared
// string table). No package for it: the reports' layout is simple and known.
import { inflateRawSync } from "node:zlib"

/** The files of a zip archive, by name. */
export function unzip(buf) {
  // The end-of-central-directory record is the last 22 bytes, before a comment of ≤ 64 KiB.
  let end = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) throw new Error("not a zip file")
  const files = new Map()
  let p = buf.readUInt32LE(end + 16)
  for (let n = buf.readUInt16LE(end + 10); n > 0; n--) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("bad zip central directory")
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen)
    const at = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const raw = buf.subarray(at, at + size)
    if (method !== 0 && method !== 8) throw new Error(`${name}: zip method ${method}`)
    files.set(name, method === 8 ? inflateRawSync(raw) : raw)
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  return files
}

const unescape = (s) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e])

/** The first sheet's cells: "D6" → a number or a string. */
export function sheetCells(buf) {
  const files = unzip(buf)
  const text = (name) => files.get(name)?.toString("utf8") ?? ""
  const shared = [...text("xl/sharedStrings.xml").matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    unescape([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join("")),
  )
  const cells = new Map()
  for (const m of text("xl/worksheets/sheet1.xml").matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const [, ref, attrs, inner = ""] = m
    const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1]
    const inline = /<is>[\s\S]*?<t[^>]*>([\s\S]*?)<\/t>/.exec(inner)?.[1]
    const type = /\bt="(\w+)"/.exec(attrs)?.[1]
    if (type === "s" && v !== undefined) cells.set(ref, shared[Number(v)])
    else if (type === "inlineStr" && inline !== undefined) cells.set(ref, unescape(inline))
    else if (type === "str" && v !== undefined) cells.set(ref, unescape(v))
    else if (v !== undefined) cells.set(ref, Number(v))
  }
  return cells
}

/** Column letters of a 0-based column index: 0 → A, 27 → AB. */
export function columnName(i) {
  let s = ""
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}
