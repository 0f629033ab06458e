import { localTableDefinitions, type LocalTableDefinition } from '../local/table-definitions';

/**
 * The cell's tables for one measurement, named `<prefix><TableId>`, without DynamoDB Streams.
 *
 * The measurements share one DynamoDB Local, and there the time of a write to a table with a stream grows
 * with the stream records other tables already hold: once the DSR export at N=100,000 has left
 * 100,000 on its Subscribers stream, a new stream-enabled table takes 20 to 30 writes a second, and seeding the
 * purge measurement takes well over an hour. No measurement reads a stream, and a stream does not change the
 * capacity units a write consumes.
 */
export function benchTableDefinitions(prefix: string): LocalTableDefinition[] {
  return localTableDefinitions('eu', prefix).map((definition) => ({
    ...definition,
    create: { ...definition.create, StreamSpecification: undefined },
  }));
}
