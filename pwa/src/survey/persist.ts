// Asks the browser not to evict our IndexedDB under storage pressure, the first time a record is
// saved (asking earlier, before the user has anything to lose, is more often refused or ignored).
let asked = false

export function requestPersistence(): void {
  if (asked || !navigator.storage?.persist) return
  asked = true
  void navigator.storage.persisted().then((already) => {
    if (!already) return navigator.storage.persist()
  })
}
