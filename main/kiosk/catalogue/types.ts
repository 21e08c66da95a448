/**
 * A kiosk service as one declaration: who may use it, the form, the platform transaction and how
 * its answer reaches the screen and the paper. The engine (engine.ts) runs every declaration the
 * same way; declarations/ holds the instances. Rules a region may correct ([K] in the reference)
 * live here as data, never in the engine.
 */
import type { DictName } from './dictionaries';

export type Category = 'query' | 'apply' | 'pay' | 'print' | 'auth';

/**
 * How strongly the person must be proven: `public` needs nobody; `card` any identification (ID
 * card, social-security card, e-voucher, face); `verified` a fresh face or card-PIN verification
 * in this session, used up by the submission (the reference's F mark).
 */
export type Strength = 'public' | 'card' | 'verified';

export interface FieldDecl {
  key: string;
  label: string;
  kind: 'text' | 'phone' | 'idno' | 'date' | 'select' | 'textarea' | 'commit' | 'year' | 'money';
  required?: boolean;
  /** Options of a `select`, by name from a dictionary. */
  dict?: DictName;
  /** Only these codes of the dictionary are offered. */
  only?: readonly string[];
  /** The field is asked (and required) only when another field has one of these values. */
  when?: { field: string; in: readonly string[] };
  maxLength?: number;
  /** Shown under the field; for `commit`, the text of the personal commitment. */
  help?: string;
  /** Filled in before the resident types: today, the person's phone on record … */
  initial?: '$today' | '$year';
}

/** A cross-field rule as data. */
export type RuleDecl =
  | { kind: 'date-order'; from: string; to: string; message: string }
  | { kind: 'max-days'; from: string; to: string; days: number; message: string }
  | { kind: 'min-days'; from: string; to: string; days: number; message: string }
  | { kind: 'not-before-today'; field: string; message: string }
  | { kind: 'not-after-today'; field: string; message: string }
  | { kind: 'within-days-of-today'; field: string; days: number; message: string }
  | { kind: 'refuse-when'; field: string; in: readonly string[]; message: string }
  | { kind: 'any-of'; fields: readonly string[]; message: string };

/** One column of a result table, or one line of a result card. */
export interface ShowDecl {
  key: string;
  label: string;
  dict?: DictName;
  format?: 'money' | 'date' | 'datetime' | 'percent' | 'masked-id' | 'masked-name';
}

export type ResultDecl =
  | { kind: 'table'; list: string; columns: readonly ShowDecl[]; empty: string }
  | { kind: 'fields'; from?: string; fields: readonly ShowDecl[] }
  | { kind: 'done'; message: string };

export interface PrintDecl {
  title: string;
  /** Lines under the title; `{key}` placeholders come from the person and the answer. */
  lines: readonly string[];
}

/** A template value: `$psn_no`, `$f.<field>`, `$today` … (engine.ts lists them) or a constant. */
export type Template = string | number | { [k: string]: Template } | readonly Template[];

export interface ServiceDecl {
  id: string;
  /** The row of ../shared/reference/kiosk-services.md §1 this service implements. */
  row: number;
  name: string;
  en: string;
  category: Category;
  identity: Strength;
  audience?: { insutypes?: readonly string[]; minAge?: number; maxAge?: number; refusal?: string };
  /** Spoken when the service opens (elderly mode reads it aloud). */
  prompt: string;
  form?: readonly FieldDecl[];
  rules?: readonly RuleDecl[];
  /** A service with its own screen names it here and has no `tx` (the screen calls its own channels). */
  screen?: string;
  tx?: {
    infno: string;
    input: Template;
    /** `record`: changes a record at the platform, so it goes through the outbox, once. */
    record?: boolean;
  };
  result?: ResultDecl;
  print?: PrintDecl;
  /** Most used first on the home screen (lower is earlier). */
  rank: number;
}
