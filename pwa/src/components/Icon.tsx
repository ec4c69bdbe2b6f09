// A few line icons as inline SVG (emoji glyphs are missing on many cheap phones' fonts).
const PATHS: Record<string, string> = {
  report: "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
  home: "M3 11 12 3l9 8M5 10v10h5v-6h4v6h5V10",
  team: "M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm8 0a3 3 0 1 0 0-6M2 20c0-3 3-5 6-5s6 2 6 5m2-5c3 0 6 2 6 5",
  copy: "M8 8h12v12H8zM4 16V4h12",
  check: "M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9",
  chart: "M4 20V10m6 10V4m6 16v-7m4 7H2",
  grid: "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z", // the officials' console
  tree: "M9 3h6v5H9zM12 8v5M6 13v-3h12v3M4 13h4v4H4zM10 13h4v4h-4zM16 13h4v4h-4z", // issue 14, part B: the unit tree
  gear: "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7 7 0 0 0-2-1.2L14.5 3h-4l-.4 2.6a7 7 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7 7 0 0 0 2 1.2l.4 2.6h4l.4-2.6a7 7 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2z",
}

export function Icon({ name }: { name: keyof typeof PATHS | string }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d={PATHS[name]} />
    </svg>
  )
}
