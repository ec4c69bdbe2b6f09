// Realistic-looking households for measurements and screenshots, loaded through the server's
// household register import (POST /api/v1/households/import), as a commune would.
const FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Mai", "Trịnh"]
const MIDDLE_M = ["Văn", "Đức", "Hữu", "Minh", "Quang", "Công", "Xuân"]
const MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim"]
const GIVEN_M = ["Hùng", "Dũng", "Nam", "Đức", "Tuấn", "Thắng", "Hải", "Long", "Sơn", "Bình", "Cường", "Quý"]
const GIVEN_F = ["Lan", "Hoa", "Mai", "Hương", "Thảo", "Hằng", "Nga", "Liên", "Yến", "Dung", "Loan", "Phượng"]
const HAMLET = ["Xóm Đông", "Xóm Tây", "Xóm Nam", "Xóm Bắc", "Xóm Giữa", "Xóm Chùa", "Xóm Đình"]

/** A deterministic pseudo-random sequence, so every run draws the same village. */
function rng(seed) {
  let s = seed >>> 0
  return (n) => ((s = (s * 1664525 + 1013904223) >>> 0) % n)
}

export function householdsCsv(villageCode, count, seed = 1) {
  const r = rng(seed)
  const pick = (a) => a[r(a.length)]
  const lines = ["village_code,head_name,address,member_name,birth_year"]
  for (let i = 0; i < count; i++) {
    const family = pick(FAMILY)
    const head = `${family} ${pick(MIDDLE_M)} ${pick(GIVEN_M)}`
    const address = `${pick(HAMLET)}, số ${i + 1}`
    const members = [
      [head, 1950 + r(50)],
      [`${pick(FAMILY)} ${pick(MIDDLE_F)} ${pick(GIVEN_F)}`, 1955 + r(50)],
      ...(r(2) ? [[`${family} ${pick(MIDDLE_M)} ${pick(GIVEN_M)}`, 1985 + r(22)]] : []),
    ]
    for (const [name, year] of members) lines.push([villageCode, head, address, name, year].map(csvField).join(","))
  }
  return lines.join("\n") + "\n"
}

const csvField = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))

/** Imports a register and waits for its job (the server answers 202, then the import runs). */
export async function importHouseholds(base, token, csv) {
  const r = await fetch(`${base}/api/v1/households/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: csv,
  })
  if (r.status !== 202) throw new Error(`household import: ${r.status} ${(await r.text()).slice(0, 600)}`)
  const { status_url } = await r.json()
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const s = await fetch(`${base}${status_url}`, { headers: { authorization: `Bearer ${token}` } })
    const job = await s.json()
    if (job.state === "done") return job.report
    if (job.state === "failed") throw new Error(`household import failed: ${JSON.stringify(job.error).slice(0, 600)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error("household import: still running after 120 s")
}
