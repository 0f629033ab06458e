#!/usr/bin/env node
import { CellConfigError } from '../lib/config';
import { buildOptlineApp } from '../lib/optline-app';

try {
  buildOptlineApp().app.synth();
} catch (error) {
  // A configuration mistake deserves its message, not a stack trace.
  if (!(error instanceof CellConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
