import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import {
  FUNCTION_TABLE_ACCESS,
  MESSAGE_ACCESS,
  type FunctionName,
  type FunctionTables,
} from '../../lambdas/api/function-tables';
import { writesOf, type TableId } from '../../lambdas/shared/env';
import { DEFAULT_CELLS } from '../../lib/config';
import { PlatformFunction } from '../../lib/constructs/platform-function';
import { addCell, newOptlineApp } from '../../lib/optline-app';
import { TABLE_IDS } from '../../lib/stacks/data-stack';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const ALL_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].map((a) => `dynamodb:${a}`);
const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('table access of a function', () => {
  // GIVEN a cell, synthesized without bundling, and one more function in its Api stack
  const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { api, data } = addCell(app, DEFAULT_CELLS[0]!);
  const probe = new PlatformFunction(api, 'AccessProbe', {
    handler: 'retention-sweep',
    serviceName: 'optline-access-probe',
    logsKey: data.logsKey,
  });

  it('refuses any write but PutItem on the append-only consent ledger', () => {
    for (const write of ['UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const) {
      expect(() => probe.bindTable(data.tables.ConsentLedger, 'ConsentLedger', ['PutItem', write])).toThrow(
        `The ConsentLedger table allows only PutItem, not ${write}`,
      );
    }
  });

  it('allows appending to the ledger and any write on other tables', () => {
    expect(() => probe.bindTable(data.tables.ConsentLedger, 'ConsentLedger', ['PutItem'])).not.toThrow();
    expect(() =>
      probe.bindTable(data.tables.Suppressions, 'Suppressions', ['PutItem', 'UpdateItem', 'DeleteItem']),
    ).not.toThrow();
  });
});

describe('the table grants of every function in a cell', () => {
  // GIVEN the default eu cell, synthesized without bundling and without CloudFormation validation (asserted
  // for the default cells in security-packs.test.ts)
  const app = newOptlineApp({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const { api, data } = addCell(app, DEFAULT_CELLS[0]!);
  const template = Template.fromStack(api).toJSON().Resources as Record<string, Json>;
  const arnOf = (id: TableId): string => JSON.stringify(api.resolve(data.tables[id].tableArn));

  /** The Allow statements of the role of the function whose Powertools service name is `optline-<name>`. */
  const allowedStatements = (name: FunctionName): Statement[] => {
    const functions = Object.values(template).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === `optline-${name}`,
    );
    expect(functions).toHaveLength(1);
    const roleId = functions[0].Properties.Role['Fn::GetAtt'][0] as string;
    return Object.values(template)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Json[]).some((role) => role.Ref === roleId),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => s.Effect === 'Allow');
  };
  const actionsOn = (statements: Statement[], id: TableId): string[] =>
    statements
      .filter((s) => list(s.Resource).some((r) => JSON.stringify(r) === arnOf(id)))
      .flatMap((s) => list(s.Action));

  it.each(Object.keys(FUNCTION_TABLE_ACCESS) as FunctionName[])(
    '%s may read its tables, make exactly the writes declared for each, and reach no other table',
    (name) => {
      const access: FunctionTables = FUNCTION_TABLE_ACCESS[name];
      const statements = allowedStatements(name);
      for (const id of TABLE_IDS) {
        const actions = actionsOn(statements, id);
        const declared = access[id];
        if (declared === undefined) {
          expect({ table: id, actions }).toEqual({ table: id, actions: [] });
          continue;
        }
        expect(actions).toEqual(expect.arrayContaining(READS));
        const writes = actions.filter((action) => ALL_WRITES.includes(action)).sort();
        expect({ table: id, writes }).toEqual({
          table: id,
          writes: writesOf(declared)
            .map((write) => `dynamodb:${write}`)
            .sort(),
        });
      }
    },
  );

  it('lets only retention, erasure and the opt-out paths delete subscriber items, and only retention and erasure delete messages', () => {
    const statementsOf = new Map(
      (Object.keys(FUNCTION_TABLE_ACCESS) as FunctionName[]).map((name) => [name, allowedStatements(name)]),
    );
    const deleters = (id: TableId): FunctionName[] =>
      [...statementsOf].flatMap(([name, statements]) =>
        ['DeleteItem', 'BatchWriteItem'].some((write) =>
          actionsOn(statements, id).includes(`dynamodb:${write}`),
        )
          ? [name]
          : [],
      );
    // An opt-out deletes the marketing item by key; a subscribe over an expired profile deletes the audience
    // entries that profile left (audience-index.ts); nothing else but retention and erasure deletes a profile.
    expect(deleters('Subscribers').sort()).toEqual(
      [
        'dsr-worker',
        'inbound-sms',
        'optout-reconcile',
        'optouts',
        'purge-inactive',
        'subscribers',
        'ttl-backstop',
      ].sort(),
    );
    expect(deleters('MessageLog').sort()).toEqual(['dsr-worker', 'purge-inactive', 'ttl-backstop']);
    expect(deleters('ConsentLedger')).toEqual([]);
    expect(deleters('DsrRequests')).toEqual([]);
    expect(deleters('AuditLog')).toEqual([]);
  });

  it('keeps the daily aggregates out of reach of erasure and retention: counters only grow, and nothing deletes them', () => {
    const reaching = (name: FunctionName) => actionsOn(allowedStatements(name), 'DailyStats');
    // GIVEN the functions that delete personal data (erasure, the purge, the TTL backstop)
    // THEN none of them can read or write the aggregates, and no function may delete one
    for (const name of ['dsr-worker', 'purge-inactive', 'ttl-backstop'] as const) {
      expect({ name, deletes: reaching(name).filter((a) => /Delete|BatchWrite|PutItem/.test(a)) }).toEqual({
        name,
        deletes: [],
      });
    }
    expect(reaching('purge-inactive')).toEqual([]);
    expect(reaching('ttl-backstop')).toEqual([]);
    // AND the statistics route only reads them
    expect(reaching('stats').filter((action) => ALL_WRITES.includes(action))).toEqual([]);
    expect(reaching('stats')).toEqual(expect.arrayContaining(READS));
  });
});

describe('the idempotency table grants', () => {
  it('are the item writes Powertools idempotency sends, which no optline test client can observe', () => {
    // GIVEN the DynamoDB persistence layer of the installed Powertools idempotency package
    const source = readFileSync(require.resolve('@aws-lambda-powertools/idempotency/dynamodb'), 'utf8');
    const commands = new Set(
      [...source.matchAll(/\b(\w+)ItemCommand\b/g)].map(([, action]) => `${action}Item`),
    );

    // THEN the messages function may make exactly its writes: a new write in a later release fails here
    expect(commands).toContain('GetItem');
    commands.delete('GetItem');
    expect([...commands].sort()).toEqual([...MESSAGE_ACCESS.Idempotency].sort());
  });
});
