import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const absolute = z
  .string()
  .min(1)
  .refine((p) => path.isAbsolute(p), 'an absolute path');

/**
 * sherpa-onnx with a model a deployment supplies (README "Voice"): a VITS model (model, tokens,
 * lexicon or dataDir) or a Matcha acoustic model with its vocoder. Paths are absolute: the
 * terminal runs from a systemd unit whose working directory says nothing.
 */
export const sherpaConfigSchema = z
  .object({
    kind: z.enum(['vits', 'matcha']).default('vits'),
    /** The VITS model, or Matcha's acoustic model (.onnx). */
    model: absolute,
    /** Matcha only: the vocoder (.onnx), e.g. vocos-22khz-univ.onnx. */
    vocoder: absolute.optional(),
    tokens: absolute,
    lexicon: absolute.optional(),
    /** espeak-ng-data, for models phonemised with espeak (piper and similar). */
    dataDir: absolute.optional(),
    /** jieba's dictionary directory, for Chinese models that segment words. */
    dictDir: absolute.optional(),
    /** Text normalisation FSTs shipped with Chinese models (number.fst, phone.fst, date.fst). */
    ruleFsts: z.array(absolute).max(10).default([]),
    speakerId: z.number().int().min(0).max(100_000).default(0),
    numThreads: z.number().int().min(1).max(8).default(1),
    /** The languages the model speaks; the others stay with espeak-ng. */
    languages: z
      .array(z.enum(['zh', 'en']))
      .min(1)
      .default(['zh']),
    /**
     * Where sherpa-onnx-node is installed when it is not in the app's own node_modules (a packaged
     * terminal): the package directory, e.g. /opt/estation-voice/node_modules/sherpa-onnx-node.
     */
    packageDir: absolute.optional(),
  })
  .strict();

export type SherpaConfig = z.output<typeof sherpaConfigSchema>;

const FILES = ['model', 'vocoder', 'tokens', 'lexicon'] as const;
const DIRS = ['dataDir', 'dictDir', 'packageDir'] as const;

export const voiceConfigSchema = z
  .object({
    /** espeak-ng everywhere; sherpa where a deployment installed sherpa-onnx-node and a model. */
    engine: z.enum(['espeak-ng', 'sherpa']).default('espeak-ng'),
    sherpa: sherpaConfigSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.engine !== 'sherpa') return;
    const s = v.sherpa;
    if (!s) return ctx.addIssue({ code: 'custom', path: ['sherpa'], message: 'voice.sherpa (model, tokens, …) is required when voice.engine is sherpa' });
    if (s.kind === 'matcha' && !s.vocoder) ctx.addIssue({ code: 'custom', path: ['sherpa', 'vocoder'], message: 'a Matcha model needs its vocoder' });
    // A missing model file is a start-up error naming the file, not a silent fall back to espeak-ng.
    // (A relative path has its own message already.)
    const isFile = (p: string) => !path.isAbsolute(p) || fs.statSync(p, { throwIfNoEntry: false })?.isFile();
    const isDir = (p: string) => !path.isAbsolute(p) || fs.statSync(p, { throwIfNoEntry: false })?.isDirectory();
    for (const key of FILES) {
      const p = s[key];
      if (p && !isFile(p)) ctx.addIssue({ code: 'custom', path: ['sherpa', key], message: `an existing file (not found: ${p})` });
    }
    for (const key of DIRS) {
      const p = s[key];
      if (p && !isDir(p)) ctx.addIssue({ code: 'custom', path: ['sherpa', key], message: `an existing directory (not found: ${p})` });
    }
    s.ruleFsts.forEach((p, i) => {
      if (!isFile(p)) ctx.addIssue({ code: 'custom', path: ['sherpa', 'ruleFsts', i], message: `an existing file (not found: ${p})` });
    });
  });

export type VoiceConfig = z.output<typeof voiceConfigSchema>;
