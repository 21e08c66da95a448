// Worker thread bootstrap: the face worker is TypeScript, so register tsx's loader first.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
