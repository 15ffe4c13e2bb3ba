// Worker threads do not inherit tsx's loader (`execArgv: ['--import', 'tsx']` fails on Node 20 with
// ERR_UNKNOWN_FILE_EXTENSION), so this plain-JS entry registers it, then loads the TypeScript thread.
import { register } from 'tsx/esm/api';

register();
await import('./media-thread.ts');
