/**
 * The model zoo's manifest: each ONNX file pinned by size and SHA-256, with its shapes and the
 * package it comes from. A file that does not match is refused, never loaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import manifestJson from './manifest.json' with { type: 'json' };

export type ModelName = 'detector' | 'landmarks' | 'embedding' | 'liveness' | 'eye' | 'pose';

export interface ModelEntry {
  name: ModelName;
  file: string;
  bytes: number;
  sha256: string;
  architecture: string;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
}

export interface Manifest {
  version: string;
  source: { package: string; version: string; integrity: string; licence: string; copyright: string };
  models: ModelEntry[];
}

export const manifest = manifestJson as Manifest;

/** Where obtained models live: ESTATION_MODELS_DIR, or models/files in the checkout. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ESTATION_MODELS_DIR ? path.resolve(env.ESTATION_MODELS_DIR) : path.join(path.dirname(fileURLToPath(import.meta.url)), 'files');
}

export class ModelError extends Error {
  constructor(
    readonly code: 'MODEL_MISSING' | 'MODEL_HASH_MISMATCH' | 'MODEL_SOURCE_MISMATCH' | 'MODEL_OBTAIN_FAILED' | 'MODEL_VERSION_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface ModelCheck {
  name: ModelName;
  file: string;
  status: 'verified' | 'missing' | 'hash-mismatch';
  sha256: string;
}

export function checkModels(dir = modelsDir()): ModelCheck[] {
  return manifest.models.map((m) => {
    const p = path.join(dir, m.file);
    if (!fs.existsSync(p)) return { name: m.name, file: m.file, status: 'missing', sha256: m.sha256 };
    const actual = sha256(fs.readFileSync(p));
    return { name: m.name, file: m.file, status: actual === m.sha256 ? 'verified' : 'hash-mismatch', sha256: actual };
  });
}

/** Reads a model file, refusing it unless its hash matches the manifest. */
export function readVerifiedModel(name: ModelName, dir = modelsDir()): Buffer {
  const m = manifest.models.find((x) => x.name === name)!;
  const p = path.join(dir, m.file);
  if (!fs.existsSync(p)) throw new ModelError('MODEL_MISSING', `${m.file} is not installed in ${dir}: run npx estation models obtain`);
  const data = fs.readFileSync(p);
  const actual = sha256(data);
  if (actual !== m.sha256) throw new ModelError('MODEL_HASH_MISMATCH', `${m.file} has sha256 ${actual}, the manifest pins ${m.sha256}: refusing it`);
  return data;
}
