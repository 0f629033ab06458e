/** `npm start`: serves the API and the privacy console locally. Flags: --cell <name> (default eu), --in-memory. Port: PORT (default 3000). */
import { parseArgs } from 'node:util';
import { ensureConsoleBuilt, loadConsoleFiles } from './console-files';
import { NPM_START_DSR_PICKUP_DELAY_MS, startLocalServer } from './server';
import { LOCAL_OPERATOR_TOKEN, LOCAL_ROLE_TOKENS, LOCAL_TENANTS } from './tenants';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { cell: { type: 'string', default: 'eu' }, 'in-memory': { type: 'boolean', default: false } },
  });
  const port = Number(process.env.PORT ?? 3000);
  ensureConsoleBuilt((line) => console.log(line));
  const local = await startLocalServer({
    port,
    cell: values.cell,
    inMemory: values['in-memory'],
    dsrPickupDelayMs: NPM_START_DSR_PICKUP_DELAY_MS,
    consoleFiles: loadConsoleFiles(),
  });

  console.log(`optline local (cell ${values.cell}) listening on ${local.url}`);
  console.log(`  OpenAPI: ${local.url}/openapi.json   outbox: ${local.url}/_local/outbox`);
  console.log(`  breach notifications to tenants: ${local.url}/_local/notifications`);
  console.log(`  privacy console: ${local.url}/console/ (tokens: local-demo-officer, local-demo-viewer)`);
  for (const tenant of LOCAL_TENANTS)
    console.log(`  tenant ${tenant.tenantId}: Authorization: Bearer ${tenant.token}`);
  for (const [token, { tenantId, role }] of Object.entries(LOCAL_ROLE_TOKENS))
    console.log(`  ${role} of ${tenantId} (console): Authorization: Bearer ${token}`);
  console.log(`  operator (no tenant; incidents.manage): Authorization: Bearer ${LOCAL_OPERATOR_TOKEN}`);
  console.log(values['in-memory'] ? '  data: in memory' : `  data: .optline/${values.cell}/`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    local.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
