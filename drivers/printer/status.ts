/**
 * DLE EOT status bytes to one typed printer condition (platform-and-devices.md §6.1). Each reply
 * has bit 1 and bit 4 set and bits 0 and 7 clear, so (b & 0x93) === 0x12.
 */
export type PrinterCondition = 'ready' | 'paper-near-end' | 'paper-out' | 'cover-open' | 'offline' | 'cutter-error' | 'unrecoverable-error';

export const CONDITION_CODES: Record<PrinterCondition, string | null> = {
  ready: null,
  'paper-near-end': 'PRINTER_PAPER_NEAR_END',
  'paper-out': 'PRINTER_PAPER_OUT',
  'cover-open': 'PRINTER_COVER_OPEN',
  offline: 'PRINTER_OFFLINE',
  'cutter-error': 'PRINTER_CUTTER_ERROR',
  'unrecoverable-error': 'PRINTER_ERROR',
};

export interface PrinterStatusBytes {
  printer: number;
  offlineCause: number;
  errorCause: number;
  paperSensor: number;
}

export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

export function conditionOf(s: PrinterStatusBytes): PrinterCondition {
  if (s.offlineCause & 0x04) return 'cover-open';
  if ((s.paperSensor & 0x60) === 0x60 || s.offlineCause & 0x20) return 'paper-out';
  if (s.errorCause & 0x08) return 'cutter-error';
  if (s.errorCause & 0x20) return 'unrecoverable-error';
  if (s.printer & 0x08) return 'offline';
  if ((s.paperSensor & 0x0c) === 0x0c) return 'paper-near-end';
  return 'ready';
}

/** Whether a job may be sent in this condition (near end still prints). */
export function canPrint(c: PrinterCondition): boolean {
  return c === 'ready' || c === 'paper-near-end';
}
