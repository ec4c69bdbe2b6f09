// A QR code drawn as one SVG path (uqr only computes the modules; nothing is fetched or
// scanned). Dark on white with a four-module quiet zone, sized by CSS: phone cameras read it from
// another phone's screen at arm's length.
import { encode } from "uqr"

export function QrCode({ text, label }: { text: string; label: string }) {
  const { data, size } = encode(text, { ecc: "M", border: 4 })
  let d = ""
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (data[y][x]) d += `M${x} ${y}h1v1h-1z`
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} data-qr={text} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  )
}
