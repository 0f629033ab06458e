/**
 * The audit trail (DESIGN §3 AuditLog): who did what to which pseudonymous subject, with what outcome and
 * counts. Never a phone number or a message body: entries hold ids, action names and numbers only.
 */
import { newEventId } from './event-id';
import { expiresAt } from './retention';

export interface AuditEntry {
  readonly tenantId: string;
  /** A job (`job:purge-inactive`), a tenant's API client (`api`) or a subject's own SMS (`keyword`). */
  readonly actor: string;
  /** What happened, in snake_case: `dsr_received`, `legal_hold_set`, `purge_summary`, … */
  readonly action: string;
  /** @default - none: the entry is about the tenant as a whole, such as a job summary */
  readonly subjectId?: string;
  /** @default - none */
  readonly requestId?: string;
  readonly outcome: string;
  /** Anonymous counts only. @default - none */
  readonly counts?: Readonly<Record<string, number>>;
}

export interface AuditRecord extends AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly expiresAt: number;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
}

/**
 * Stamps an entry with its id, time and 5-year expiry (MessageBird 7.4), without writing it: for stores that
 * write the entry in the same transaction as the change it records.
 */
export function auditRecord(entry: AuditEntry, now: Date): AuditRecord {
  return { ...entry, id: newEventId(), at: now.toISOString(), expiresAt: expiresAt('auditEvents', now) };
}

/** Stamps an entry with its id, time and 5-year expiry (MessageBird 7.4), then appends it. */
export async function audit(log: AuditLog, entry: AuditEntry, now: Date): Promise<AuditRecord> {
  const record = auditRecord(entry, now);
  await log.append(record);
  return record;
}

/**
 * Counts kept per tenant during a run, for one count-only summary entry per tenant: the AuditLog is partitioned
 * by tenant, so a cell-wide run writes one entry into each tenant's day.
 */
export class CountsByTenant<C extends { [K in keyof C]: number }> {
  private readonly byTenant = new Map<string, C>();

  constructor(private readonly empty: () => C) {}

  /** The tenant's counts, created empty on first use. */
  of(tenantId: string): C {
    let counts = this.byTenant.get(tenantId);
    if (!counts) this.byTenant.set(tenantId, (counts = this.empty()));
    return counts;
  }

  get tenants(): number {
    return this.byTenant.size;
  }

  /** Every tenant's counts added up. */
  total(): C {
    const sum = this.empty();
    for (const counts of this.byTenant.values()) {
      for (const key of Object.keys(sum) as Array<keyof C>) {
        sum[key] = (sum[key] + counts[key]) as C[keyof C];
      }
    }
    return sum;
  }

  /** Appends one summary entry, with that tenant's counts, for each tenant counted. */
  async audit(log: AuditLog, entry: Omit<AuditEntry, 'tenantId' | 'counts'>, now: Date): Promise<void> {
    for (const [tenantId, counts] of this.byTenant) {
      await audit(log, { ...entry, tenantId, counts: { ...counts } }, now);
    }
  }
}
