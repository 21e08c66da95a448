/**
 * The receipt printer driver. Status comes from DLE EOT 1..4 with a timeout. A print job is
 * accepted once (by its id), sent only from a known ready state, and never sent twice: after the
 * bytes have left, a paper-out makes the job wait for the printer to finish it, not resend it. A
 * write that fails part-way leaves the job `unknown` for a person to decide.
 */
import { EventEmitter } from 'node:events';
import type { ByteTransport } from '../transport/types';
import { realtimeStatus } from './encoder';
import { canPrint, conditionOf, CONDITION_CODES, isStatusByte, type PrinterCondition, type PrinterStatusBytes } from './status';

export type JobState = 'queued' | 'waiting' | 'sending' | 'sent' | 'done' | 'unknown' | 'cancelled';

export interface PrintJob {
  id: string;
  state: JobState;
  /** Why the job waits (PRINTER_PAPER_OUT, …) or why it is unknown. */
  reason: string | null;
  acceptedAt: number;
  sentAt: number | null;
  doneAt: number | null;
  bytes: number;
}

export class PrinterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PrinterError';
  }
}

export interface ReceiptPrinterOptions {
  statusTimeoutMs?: number;
  pollMs?: number;
  /** How long a sent job may go without any answer from the printer before it becomes unknown. */
  silenceLimitMs?: number;
}

export interface ReceiptPrinterEvents {
  condition: [PrinterCondition | 'not-responding'];
  job: [PrintJob];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ReceiptPrinter extends EventEmitter<ReceiptPrinterEvents> {
  private readonly jobs = new Map<string, PrintJob>();
  private readonly payloads = new Map<string, Buffer>();
  private readonly queue: string[] = [];
  private running = false;
  private waiter: { resolve: (b: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private lastCondition: PrinterCondition | 'not-responding' | null = null;
  private closed = false;
  private readonly opts: Required<ReceiptPrinterOptions>;
  private readonly onData = (chunk: Buffer) => {
    for (const b of chunk) {
      if (!isStatusByte(b) || !this.waiter) continue;
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(b);
    }
  };

  constructor(
    private readonly transport: ByteTransport,
    opts: ReceiptPrinterOptions = {},
  ) {
    super();
    this.opts = { statusTimeoutMs: opts.statusTimeoutMs ?? 500, pollMs: opts.pollMs ?? 300, silenceLimitMs: opts.silenceLimitMs ?? 60_000 };
    transport.on('data', this.onData);
  }

  /**
   * One DLE EOT n, answered within the status timeout, counted from before the write: a write the
   * port never completes (its far end stopped reading) fails the request at the same deadline,
   * so the requests queued behind it, and close(), never wait on it.
   */
  private requestStatus(n: 1 | 2 | 3 | 4): Promise<number> {
    const run = () => {
      const reply = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (this.waiter?.timer === timer) this.waiter = null;
          reject(new PrinterError('PRINTER_NOT_RESPONDING', `no answer to DLE EOT ${n} within ${this.opts.statusTimeoutMs} ms`));
        }, this.opts.statusTimeoutMs);
        this.waiter = { resolve, reject, timer };
      });
      const mine = this.waiter!;
      this.transport.write(realtimeStatus(n)).catch((err: unknown) => {
        if (this.waiter !== mine) return;
        clearTimeout(mine.timer);
        this.waiter = null;
        mine.reject(new PrinterError('PRINTER_NOT_RESPONDING', (err as Error).message));
      });
      return reply;
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Reads DLE EOT 1..4 and maps them to one condition; throws PRINTER_NOT_RESPONDING. */
  async status(): Promise<{ condition: PrinterCondition; bytes: PrinterStatusBytes }> {
    try {
      const bytes = {
        printer: await this.requestStatus(1),
        offlineCause: await this.requestStatus(2),
        errorCause: await this.requestStatus(3),
        paperSensor: await this.requestStatus(4),
      };
      const condition = conditionOf(bytes);
      this.setCondition(condition);
      return { condition, bytes };
    } catch (err) {
      this.setCondition('not-responding');
      throw err;
    }
  }

  private setCondition(c: PrinterCondition | 'not-responding'): void {
    if (c === this.lastCondition) return;
    this.lastCondition = c;
    this.emit('condition', c);
  }

  get condition(): PrinterCondition | 'not-responding' | null {
    return this.lastCondition;
  }

  /** Accepts a job once. Submitting the same id again returns the job as it stands. */
  submit(id: string, bytes: Buffer): PrintJob {
    const existing = this.jobs.get(id);
    if (existing) return existing;
    const job: PrintJob = { id, state: 'queued', reason: null, acceptedAt: Date.now(), sentAt: null, doneAt: null, bytes: bytes.length };
    this.jobs.set(id, job);
    this.payloads.set(id, bytes);
    this.queue.push(id);
    this.emit('job', job);
    // A failure inside the queue shows as a printer that does not answer, never as a stray rejection.
    this.drain().catch(() => this.setCondition('not-responding'));
    return job;
  }

  job(id: string): PrintJob | undefined {
    return this.jobs.get(id);
  }

  /** Resolves when the job reaches done, unknown or cancelled. */
  waitFor(id: string, timeoutMs = 60_000): Promise<PrintJob> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new PrinterError('PRINTER_NO_SUCH_JOB', id));
    const final = (j: PrintJob) => j.state === 'done' || j.state === 'unknown' || j.state === 'cancelled';
    if (final(job)) return Promise.resolve(job);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('job', on);
        reject(new PrinterError('PRINTER_JOB_TIMEOUT', `job ${id} is still ${job.state}`));
      }, timeoutMs);
      const on = (j: PrintJob) => {
        if (j.id === id && final(j)) {
          clearTimeout(timer);
          this.off('job', on);
          resolve(j);
        }
      };
      this.on('job', on);
    });
  }

  /** Cancels a job that has not been sent yet. A sent job cannot be called back. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || (job.state !== 'queued' && job.state !== 'waiting')) return false;
    this.update(job, 'cancelled', null);
    return true;
  }

  private update(job: PrintJob, state: JobState, reason: string | null): void {
    if (job.state === state && job.reason === reason) return;
    job.state = state;
    job.reason = reason;
    if (state === 'sending') job.sentAt = Date.now();
    if (state === 'done') job.doneAt = Date.now();
    this.emit('job', { ...job });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const id = this.queue.shift()!;
        const job = this.jobs.get(id)!;
        if (job.state === 'cancelled') continue;
        await this.run(job, this.payloads.get(id)!);
        this.payloads.delete(id);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(job: PrintJob, bytes: Buffer): Promise<void> {
    // 1. Wait for a known state in which the printer can print. Nothing has been sent yet.
    for (;;) {
      if (this.closed) return;
      if ((job.state as JobState) === 'cancelled') return;
      try {
        const { condition } = await this.status();
        if (canPrint(condition)) break;
        this.update(job, 'waiting', CONDITION_CODES[condition]);
      } catch (err) {
        this.update(job, 'waiting', (err as PrinterError).code ?? 'PRINTER_NOT_RESPONDING');
      }
      await sleep(this.opts.pollMs);
    }
    // 2. Send once.
    this.update(job, 'sending', null);
    try {
      await this.transport.write(bytes);
    } catch (err) {
      this.update(job, 'unknown', `PRINTER_OUTCOME_UNKNOWN: ${(err as Error).message}`);
      return;
    }
    this.update(job, 'sent', null);
    // 3. Confirm: the printer finishes the job from its buffer; we only watch.
    let silentSince: number | null = null;
    for (;;) {
      if (this.closed) return;
      try {
        const { condition } = await this.status();
        silentSince = null;
        if (canPrint(condition)) {
          this.update(job, 'done', null);
          return;
        }
        this.update(job, 'sent', CONDITION_CODES[condition]);
      } catch {
        silentSince ??= Date.now();
        this.update(job, 'sent', 'PRINTER_NOT_RESPONDING');
        if (Date.now() - silentSince > this.opts.silenceLimitMs) {
          this.update(job, 'unknown', 'PRINTER_OUTCOME_UNKNOWN: the printer stopped answering after the job was sent');
          return;
        }
      }
      await sleep(this.opts.pollMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.transport.off('data', this.onData);
    await this.chain.catch(() => undefined);
  }
}
