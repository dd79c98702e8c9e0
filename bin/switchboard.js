#!/usr/bin/env node
// The `switchboard` command: runs the TypeScript sources in this process through tsx's loader,
// so a clone works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
