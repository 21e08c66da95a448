#!/usr/bin/env node
// postinstall: obtain and verify the face models (models/obtain.ts).
import { register } from 'tsx/esm/api';

register();
const { obtainModels } = await import('../models/obtain.ts');
try {
  obtainModels(undefined, (s) => console.log(`models: ${s}`));
} catch (err) {
  console.error(`models: ${err.code ?? 'ERROR'}: ${err.message}`);
  process.exitCode = 1;
}
