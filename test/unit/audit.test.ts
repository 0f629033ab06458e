import { CountsByTenant, type AuditRecord } from '../../lambdas/domain/audit';

describe('CountsByTenant', () => {
  const NOW = new Date('2026-11-24T03:00:00Z');
  const tally = () => {
    const byTenant = new CountsByTenant(() => ({ purged: 0, skipped: 0 }));
    byTenant.of('demo').purged += 2;
    byTenant.of('acme').skipped += 1;
    byTenant.of('demo').skipped += 1;
    return byTenant;
  };

  it('keeps counts per tenant and adds them up across tenants', () => {
    const byTenant = tally();

    expect(byTenant.tenants).toBe(2);
    expect(byTenant.of('demo')).toEqual({ purged: 2, skipped: 1 });
    expect(byTenant.total()).toEqual({ purged: 2, skipped: 2 });
  });

  it("writes one count-only entry per tenant, each with that tenant's counts", async () => {
    const written: AuditRecord[] = [];

    await tally().audit(
      { append: async (record) => void written.push(record) },
      { actor: 'job:purge-inactive', action: 'purge_summary', outcome: 'completed' },
      NOW,
    );

    expect(written.map(({ tenantId, counts, action, at }) => ({ tenantId, counts, action, at }))).toEqual([
      { tenantId: 'demo', counts: { purged: 2, skipped: 1 }, action: 'purge_summary', at: NOW.toISOString() },
      { tenantId: 'acme', counts: { purged: 0, skipped: 1 }, action: 'purge_summary', at: NOW.toISOString() },
    ]);
  });
});
