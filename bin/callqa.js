#!/usr/bin/env node
// `npx callqa …` / `callqa …` once linked: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../api/cli/main.ts');
