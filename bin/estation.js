#!/usr/bin/env node
// Runs the TypeScript CLI directly from the checkout (tsx registers the loader).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
