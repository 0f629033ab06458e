/**
 * The domain's dependencies built from ports, in one place: every route group, consumer and job that sends or
 * records consent gets the same stores wired the same way, in Lambda and in the local server.
 */
import { randomUUID } from 'node:crypto';
import { DynamoConsentStore } from '../adapters/dynamo/consent-store';
import { DynamoMarketingHistory } from '../adapters/dynamo/marketing-history';
import { DynamoMessageStore } from '../adapters/dynamo/message-store';
import { DynamoTenantStore } from '../adapters/dynamo/tenant-store';
import type { ConsentDeps } from '../domain/consent';
import type { SendDeps } from '../domain/messages';
import { logger } from '../shared/powertools';
import type { ConsentPorts, SendingPorts } from './ports';

type SendTables = 'Tenants' | 'Subscribers' | 'Suppressions' | 'MessageLog' | 'DailyStats';
type ConsentTables = 'Subscribers' | 'ConsentLedger' | 'Suppressions' | 'DailyStats';

export function sendDeps(ports: SendingPorts<SendTables>): SendDeps {
  return {
    messages: new DynamoMessageStore(ports.db, ports.tables, ports.clock),
    marketingHistory: new DynamoMarketingHistory(ports.db, ports.tables.MessageLog, ports.clock),
    tenants: new DynamoTenantStore(ports.db, ports.tables.Tenants, ports.tenantProfiles),
    subjectIds: ports.subjectIds,
    sender: ports.sender,
    clock: ports.clock,
    newId: randomUUID,
    // The message id only: it finds the message at the provider.
    onNotLogged: (messageId) =>
      logger.error('message sent but not logged', { incident: 'message-not-logged', messageId }),
  };
}

export function consentDeps(
  ports: ConsentPorts<ConsentTables>,
): ConsentDeps & { consent: DynamoConsentStore } {
  return {
    consent: new DynamoConsentStore(ports.db, ports.tables),
    subjectIds: ports.subjectIds,
    providerOptOuts: ports.providerOptOuts,
  };
}
