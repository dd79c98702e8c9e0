#!/usr/bin/env node
// The `switchboard` command of the compiled build (npm run build): plain Node, no TypeScript loader.
await import('../dist/cli.js');
