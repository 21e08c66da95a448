#!/usr/bin/env node
// Runs the fleet server (fleet/main.ts) directly from the checkout (tsx registers the loader).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../fleet/main.ts');
process.exitCode = await main(process.argv.slice(2));
