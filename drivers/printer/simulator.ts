/**
 * An ESC/POS receipt printer on the other end of a serial line. It answers DLE EOT at once (as
 * real printers do, even when stopped), prints what it receives through the ESC/POS parser, and
 * can run out of paper part-way, open its cover, jam its cutter, or be unplugged. Data received
 * while it is stopped stays in its buffer and prints when it recovers, as on a real printer.
 */
import type { ByteTransport } from '../transport/types';
import { EscPosParser, type PrintedItem, type ReceiptView } from './parser';

export class PrinterSimulator {
  private pending: number[] = [];
  private readonly parser = new EscPosParser();
  private scan: number[] = [];
  readonly printed: PrintedItem[] = [];
  paperOut = false;
  nearEnd = false;
  coverOpen = false;
  cutterError = false;
  /** Lines left on the roll; null = endless. */
  paperLines: number | null = null;
  /** When unplugged it neither answers nor prints. */
  unplugged = false;
  readonly statusRequests: number[] = [];
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(private readonly bytes: ByteTransport) {
    bytes.on('data', this.onData);
  }

  private receive(chunk: Buffer): void {
    if (this.unplugged) return;
    for (const b of chunk) {
      // Real-time commands are taken out of the stream on arrival.
      this.scan.push(b);
      if (this.scan.length > 3) this.scan.shift();
      if (this.scan.length === 3 && this.scan[0] === 0x10 && this.scan[1] === 0x04 && this.scan[2]! >= 1 && this.scan[2]! <= 4) {
        this.pending.splice(this.pending.length - 2, 2);
        this.answerStatus(this.scan[2]!);
        this.scan = [];
        continue;
      }
      this.pending.push(b);
    }
    this.printPending();
  }

  private answerStatus(n: number): void {
    this.statusRequests.push(n);
    const stopped = this.paperOut || this.coverOpen || this.cutterError;
    const byte =
      n === 1
        ? 0x12 | (stopped ? 0x08 : 0)
        : n === 2
          ? 0x12 | (this.coverOpen ? 0x04 : 0) | (this.paperOut ? 0x20 : 0) | (this.cutterError ? 0x40 : 0)
          : n === 3
            ? 0x12 | (this.cutterError ? 0x08 : 0)
            : 0x12 | (this.nearEnd || this.paperOut ? 0x0c : 0) | (this.paperOut ? 0x60 : 0);
    void this.bytes.write(Buffer.from([byte])).catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.paperOut || this.coverOpen || this.cutterError || this.unplugged;
  }

  private printPending(): void {
    while (!this.stopped && this.pending.length) {
      // Leave the last two bytes while they could start a DLE EOT split across chunks.
      if (this.pending.length <= 2 && this.pending[0] === 0x10) break;
      const b = this.pending.shift()!;
      for (const item of this.parser.push(Buffer.of(b))) {
        if (item.type === 'status-request') continue;
        this.printed.push(item);
        if (item.type === 'line' && this.paperLines !== null) {
          this.paperLines--;
          if (this.paperLines <= 3) this.nearEnd = true;
          if (this.paperLines <= 0) this.paperOut = true;
        }
      }
    }
  }

  /** Paper in: clears paper-out and prints what waited in the buffer. */
  loadPaper(lines: number | null = null): void {
    this.paperOut = false;
    this.nearEnd = false;
    this.paperLines = lines;
    this.printPending();
  }
  /** The roll is empty now. */
  setPaperOut(): void {
    this.paperOut = true;
    this.nearEnd = true;
    this.paperLines = 0;
  }
  runOutAfter(lines: number): void {
    this.paperLines = lines;
  }
  setCoverOpen(open: boolean): void {
    this.coverOpen = open;
    this.printPending();
  }
  setCutterError(err: boolean): void {
    this.cutterError = err;
    this.printPending();
  }
  unplug(): void {
    this.unplugged = true;
  }
  replug(): void {
    this.unplugged = false;
    this.printPending();
  }

  /** What came out of the printer, one entry per cut (plus a trailing uncut part). */
  receipts(): ReceiptView[] {
    const out: ReceiptView[] = [];
    let cur: ReceiptView = { lines: [], qr: [], cut: false, items: [] };
    for (const it of this.printed) {
      cur.items.push(it);
      if (it.type === 'line') cur.lines.push(it.text);
      if (it.type === 'qr') cur.qr.push(it.data);
      if (it.type === 'cut') {
        cur.cut = true;
        out.push(cur);
        cur = { lines: [], qr: [], cut: false, items: [] };
      }
    }
    if (cur.items.length) out.push(cur);
    return out;
  }

  close(): void {
    this.bytes.off('data', this.onData);
  }
}
