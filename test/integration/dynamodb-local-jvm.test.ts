/**
 * DynamoDB Local's Java options (local/dynamodb-local.ts). Java's default heap ceiling is a quarter of the
 * machine's memory; the bound must reach the JVM that npm start, the bench and the tests run. `jcmd` (JDK 17)
 * reports the flags the running JVM took.
 */
import { execFileSync } from 'node:child_process';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../local/dynamodb-local';

let ddb: RunningDynamoDbLocal;
beforeAll(async () => {
  ddb = await startDynamoDbLocal();
}, 60_000);
afterAll(() => ddb.stop());

it('runs DynamoDB Local with a 256 MB heap, the serial collector and the quick JIT tier only', () => {
  // GIVEN a DynamoDB Local that answers, WHEN its JVM is asked for the flags in force
  const flags = execFileSync('jcmd', [String(ddb.process.pid), 'VM.flags'], { encoding: 'utf8' });

  // THEN the heap is bounded, and collection and compilation are the light kinds
  expect(flags).toContain(`-XX:MaxHeapSize=${256 * 1024 * 1024}`);
  expect(flags).toContain('-XX:+UseSerialGC');
  expect(flags).toContain('-XX:TieredStopAtLevel=1');
});
