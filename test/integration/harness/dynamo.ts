import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClient } from '../../../local/dynamodb-local';

/** A document client for the DynamoDB Local that the global setup started. */
export function testDocumentClient(): DynamoDBDocumentClient {
  const endpoint = process.env.OPTLINE_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('OPTLINE_DYNAMODB_ENDPOINT is not set: run through the integration jest project');
  return DynamoDBDocumentClient.from(localClient(endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
