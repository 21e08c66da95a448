// Face engine bootstrap (child process or worker thread): the engine is TypeScript, so register tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
