#!/usr/bin/env node
import { CELLS_CONTEXT_KEY, cellsFromContext } from '../lib/config';
import { addCell, addSecurityChecks, newOptlineApp } from '../lib/optline-app';

const app = newOptlineApp();
for (const cell of cellsFromContext(app.node.tryGetContext(CELLS_CONTEXT_KEY))) {
  addCell(app, cell);
}
addSecurityChecks(app);
app.synth();
