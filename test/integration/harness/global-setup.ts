import { ensureTables, startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/dynamodb-local';
import { localTableDefinitions } from '../../../local/table-definitions';
import { withoutTemplateValidation } from './template-validation';

declare global {
  var __OPTLINE_DDB__: RunningDynamoDbLocal | undefined;
}

/**
 * Starts one DynamoDB Local for the integration project on a free port and creates the cell's tables from
 * the synthesized Data stack template. Test files reach it through OPTLINE_DYNAMODB_ENDPOINT.
 */
export default async function globalSetup(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  globalThis.__OPTLINE_DDB__ = ddb;
  // If Jest dies without running the teardown, do not leave Java behind.
  process.once('exit', () => ddb.process.kill('SIGKILL'));
  try {
    // Scoped: jest's own process must not turn the validation off for the infra tests' workers.
    await ensureTables(
      ddb.endpoint,
      withoutTemplateValidation(() => localTableDefinitions('eu')),
    );
  } catch (error) {
    await ddb.stop();
    throw error;
  }
  process.env.OPTLINE_DYNAMODB_ENDPOINT = ddb.endpoint;
}
