/**
 * Declarations as a region writes them in its config file (`kiosk.services`): the same shape as
 * the built-in ones (types.ts), checked strictly so a typo names its key at start-up. A
 * declaration with a built-in id replaces that service (a region correcting a [K] rule); a new id
 * adds one.
 */
import { z } from 'zod';
import { DICTIONARIES } from './dictionaries';
import type { ServiceDecl, Template } from './types';

const dict = z.enum(Object.keys(DICTIONARIES) as [keyof typeof DICTIONARIES, ...(keyof typeof DICTIONARIES)[]]);
const key = z.string().regex(/^[a-z][a-zA-Z0-9_]{0,29}$/, 'a field key: a letter, then letters, digits or _');

const field = z
  .object({
    key,
    label: z.string().min(1).max(30),
    kind: z.enum(['text', 'phone', 'idno', 'date', 'select', 'textarea', 'commit', 'year', 'money']),
    required: z.boolean().optional(),
    dict: dict.optional(),
    only: z.array(z.string().max(20)).max(200).optional(),
    when: z
      .object({ field: key, in: z.array(z.string().max(20)).min(1).max(50) })
      .strict()
      .optional(),
    maxLength: z.number().int().min(1).max(1000).optional(),
    help: z.string().max(500).optional(),
    initial: z.enum(['$today', '$year']).optional(),
  })
  .strict()
  .refine((f) => f.kind !== 'select' || !!f.dict, { message: 'a select needs a dict', path: ['dict'] });

const rule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('date-order'), from: key, to: key, message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('max-days'), from: key, to: key, days: z.number().int().positive(), message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('min-days'), from: key, to: key, days: z.number().int().positive(), message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('not-before-today'), field: key, message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('not-after-today'), field: key, message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('within-days-of-today'), field: key, days: z.number().int().positive(), message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('refuse-when'), field: key, in: z.array(z.string().max(20)).min(1), message: z.string().max(100) }).strict(),
  z.object({ kind: z.literal('any-of'), fields: z.array(key).min(1), message: z.string().max(100) }).strict(),
]);

const template: z.ZodType<Template> = z.lazy(() =>
  z.union([z.string().max(200), z.number(), z.array(template).max(50), z.record(z.string().max(40), template)]),
);

const show = z
  .object({
    key: z.string().max(40),
    label: z.string().max(30),
    dict: dict.optional(),
    format: z.enum(['money', 'date', 'datetime', 'percent', 'masked-id', 'masked-name']).optional(),
  })
  .strict();

export const serviceDeclSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'a service id: lower-case letters, digits and -'),
    row: z.number().int().min(0).max(999),
    name: z.string().min(1).max(30),
    en: z.string().min(1).max(60),
    category: z.enum(['query', 'apply', 'pay', 'print', 'auth']),
    identity: z.enum(['public', 'card', 'verified']),
    audience: z
      .object({
        insutypes: z.array(z.string().regex(/^\d{3}$/)).optional(),
        minAge: z.number().int().min(0).max(150).optional(),
        maxAge: z.number().int().min(0).max(150).optional(),
        refusal: z.string().max(100).optional(),
      })
      .strict()
      .optional(),
    prompt: z.string().min(1).max(200),
    form: z.array(field).max(30).optional(),
    rules: z.array(rule).max(30).optional(),
    screen: z.string().max(40).optional(),
    tx: z
      .object({ infno: z.string().regex(/^[0-9A-Z]{4,6}$/), input: template, record: z.boolean().optional() })
      .strict()
      .optional(),
    result: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('table'), list: z.string().max(60), columns: z.array(show).min(1).max(10), empty: z.string().max(100) }).strict(),
        z.object({ kind: z.literal('fields'), from: z.string().max(60).optional(), fields: z.array(show).min(1).max(20) }).strict(),
        z.object({ kind: z.literal('done'), message: z.string().max(200) }).strict(),
      ])
      .optional(),
    print: z
      .object({ title: z.string().max(30), lines: z.array(z.string().max(100)).max(20) })
      .strict()
      .optional(),
    rank: z.number().min(0).max(1000),
  })
  .strict()
  .refine((d) => !!d.tx !== !!d.screen, { message: 'a service has either a tx (generic form) or a screen of its own', path: ['tx'] })
  .refine((d) => !d.tx || !!d.result, { message: 'a service with a tx needs a result', path: ['result'] }) satisfies z.ZodType<ServiceDecl>;
