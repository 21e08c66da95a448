/**
 * A small PDF writer for text reports (the readiness report): Helvetica, A4, as many pages as the
 * lines need, uncompressed so the report can be checked with plain text tools.
 */
export function textPdf(title: string, lines: string[]): Buffer {
  const perPage = 58;
  const pages: string[][] = [];
  for (let i = 0; i < Math.max(1, lines.length); i += perPage) pages.push(lines.slice(i, i + perPage));
  const esc = (s: string) =>
    s
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/\\/g, '\\\\')
      .replace(/\(/g, '\\(')
      .replace(/\)/g, '\\)');
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) - 1;
  const catalog = add('');
  const pagesObj = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  pages.forEach((chunk, n) => {
    const text = [
      `BT /F1 14 Tf 50 800 Td (${esc(title)}) Tj /F1 9 Tf 0 -22 Td 12 TL`,
      ...chunk.map((l) => `(${esc(l)}) Tj T*`),
      `0 -10 Td (page ${n + 1} of ${pages.length}) Tj ET`,
    ].join('\n');
    const content = add(`<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent ${pagesObj + 1} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font + 1} 0 R >> >> /Contents ${content + 1} 0 R >>`,
      ),
    );
  });
  objects[catalog] = `<< /Type /Catalog /Pages ${pagesObj + 1} 0 R >>`;
  objects[pagesObj] = `<< /Type /Pages /Kids [${kids.map((k) => `${k + 1} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog + 1} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
