import { create } from 'qrcode/lib/core/qrcode';

/** A QR code as SVG (crisp at any size, no canvas, no network). */
export function QrCode({ text, size = 320, label }: { text: string; size?: number; label: string }) {
  const m = create(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4;
  const n = m.size + quiet * 2;
  let d = '';
  for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (m.get(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges" data-testid="qr" data-text={text}>
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
