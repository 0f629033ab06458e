import { ledgerSortKey } from '../../domain/consent';

/** Key layout of the cell's tables (DESIGN §3). A phone number never appears in a key. */
export const tenantPk = (tenantId: string): string => `T#${tenantId}`;
export const subscriberKey = (tenantId: string, subjectId: string) => ({
  pk: tenantPk(tenantId),
  sk: `S#${subjectId}`,
});
/** The subscriber's marketing attributes, deleted when consent is withdrawn (DESIGN §2). */
export const marketingKey = (tenantId: string, subjectId: string) => ({
  pk: tenantPk(tenantId),
  sk: `S#${subjectId}#MKT`,
});
export const subjectPk = (tenantId: string, subjectId: string): string => `T#${tenantId}#S#${subjectId}`;
export const suppressionKey = (tenantId: string, subjectId: string, scope: string) => ({
  pk: tenantPk(tenantId),
  sk: `S#${subjectId}#${scope}`,
});
export const ledgerKey = (tenantId: string, subjectId: string, at: string, eventId: string) => ({
  pk: subjectPk(tenantId, subjectId),
  sk: ledgerSortKey(at, eventId),
});
/** One AuditLog partition per tenant and UTC day, so a day's entries are one Query. */
export const auditPk = (tenantId: string, day: string): string => `T#${tenantId}#D#${day}`;
export const auditKey = (tenantId: string, at: string, id: string) => ({
  pk: auditPk(tenantId, at.slice(0, 10)),
  sk: `${at}#${id}`,
});
/**
 * The subject's consent state in the Suppressions table: the head of its ledger (the sort key of the latest
 * event) and any pending provider removal. Not a suppression: those sort as `S#<subjectId>#<scope>`.
 */
export const consentStateKey = (tenantId: string, subjectId: string) => ({
  pk: tenantPk(tenantId),
  sk: `C#${subjectId}`,
});
