import { DEFAULT_CELLS } from '../../lib/config';
import { PlatformFunction } from '../../lib/constructs/platform-function';
import { addCell, newOptlineApp } from '../../lib/optline-app';

describe('table access of a function', () => {
  // GIVEN a cell, synthesized without bundling, and one more function in its Api stack
  const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { api, data } = addCell(app, DEFAULT_CELLS[0]!);
  const fn = new PlatformFunction(api, 'AccessProbe', {
    handler: 'retention-sweep',
    serviceName: 'optline-access-probe',
    logsKey: data.logsKey,
  });

  it('refuses read-write access to the append-only consent ledger', () => {
    expect(() => fn.bindTable(data.tables.ConsentLedger, 'ConsentLedger', 'readWrite')).toThrow(
      "The ConsentLedger table allows at most 'append' access, not 'readWrite'",
    );
  });

  it('allows appending to the ledger and read-write access to other tables', () => {
    expect(() => fn.bindTable(data.tables.ConsentLedger, 'ConsentLedger', 'append')).not.toThrow();
    expect(() => fn.bindTable(data.tables.Suppressions, 'Suppressions', 'readWrite')).not.toThrow();
  });
});
