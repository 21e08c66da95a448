/**
 * Money is integer fen everywhere inside E-Station. Yuan with two decimals appear only at the
 * platform's wire boundary and on screen/paper.
 */
import { z } from 'zod';

export type Fen = number & { readonly __unit: 'fen' };

export const fenSchema = z
  .number()
  .int({ message: 'expected an integer amount in fen' })
  .refine((v) => Number.isSafeInteger(v), { message: 'amount out of range' }) as unknown as z.ZodType<Fen>;

export function fen(value: number): Fen {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer fen amount: ${value}`);
  return value as Fen;
}

/** 12345 -> "123.45"; -5 -> "-0.05". */
export function formatYuan(amount: Fen): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}${yuan}.${cents.toString().padStart(2, '0')}`;
}

/** Whole yuan written in data and config defaults (a policy's cap, a limit): ¥500 -> 50000 fen. */
export function wholeYuan(yuan: number): Fen {
  if (!Number.isSafeInteger(yuan)) throw new RangeError(`not a whole yuan amount: ${yuan}`);
  return fen(yuan * 100);
}

/** The one way money is shown, on screen and on paper: 12345 -> "￥123.45". */
export function formatMoney(amount: Fen | number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`not an integer fen amount: ${amount}`);
  return `￥${formatYuan(amount as Fen)}`;
}

/** Fen to the platform's decimal yuan as a number (2 decimals, exact for any safe amount). */
export function fenToWire(amount: Fen | number): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`not an integer fen amount: ${amount}`);
  return Number(formatYuan(amount as Fen));
}

/** Parses a platform decimal ("4.52", 4.52, "-25.1") into fen without floating-point drift. */
export function yuanToFen(value: number | string): Fen {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,2})\d*)?$/.exec(text);
  if (!m) throw new RangeError(`not a yuan amount: ${String(value)}`);
  const [, neg, whole, frac = ''] = m;
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return fen(neg && cents !== 0 ? -cents : cents);
}
