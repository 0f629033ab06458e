import {
  CellConfigError,
  cellsFromContext,
  DEFAULT_API_LIMITS,
  DEFAULT_CELLS,
  parseCells,
} from '../../lib/config';

describe('cell configuration', () => {
  it('defaults to an eu cell in eu-west-1 under GDPR and a us cell in us-east-1 under CCPA, each with a demo tenant', () => {
    expect(cellsFromContext(undefined)).toEqual([
      { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] },
      { name: 'us', region: 'us-east-1', regime: 'CCPA', tenants: ['demo'] },
    ]);
  });

  it('replaces the defaults with a valid context override, given as an array or as JSON text', () => {
    const override = [
      { name: 'de', region: 'eu-central-1', regime: 'GDPR', tenants: ['demo', 'acme-retail'] },
    ];
    expect(cellsFromContext(override)).toEqual(override);
    expect(cellsFromContext(JSON.stringify(override))).toEqual(override);
    expect(DEFAULT_CELLS).toHaveLength(2);
  });

  it('accepts API limits for a cell and leaves them unset otherwise, so the stack applies the defaults', () => {
    const apiLimits = { rateLimit: 20, burstLimit: 40, perIpLimit: 1200 };
    const [limited, unlimited] = parseCells([
      { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'], apiLimits },
      { name: 'us', region: 'us-east-1', regime: 'CCPA', tenants: ['demo'] },
    ]);
    expect(limited?.apiLimits).toEqual(apiLimits);
    expect(unlimited?.apiLimits).toBeUndefined();
    expect(DEFAULT_API_LIMITS.perIpLimit).toBeGreaterThanOrEqual(10);
  });

  it('lets two cells each have a tenant with the same id, since every cell has its own pool and tables', () => {
    expect(() =>
      parseCells([
        { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] },
        { name: 'us', region: 'us-east-1', regime: 'CCPA', tenants: ['demo'] },
      ]),
    ).not.toThrow();
  });

  it.each([
    [
      'an unknown regime',
      [{ name: 'eu', region: 'eu-west-1', regime: 'LGPD', tenants: ['demo'] }],
      /\[0\]\.regime: must be one of GDPR, CCPA/,
    ],
    [
      'a malformed region',
      [{ name: 'eu', region: 'Ireland', regime: 'GDPR', tenants: ['demo'] }],
      /\[0\]\.region: must be an AWS region name/,
    ],
    [
      'a duplicate region',
      [
        { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] },
        { name: 'ie', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] },
      ],
      /\[1\]\.region: duplicate region "eu-west-1"/,
    ],
    [
      'a duplicate name',
      [
        { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] },
        { name: 'eu', region: 'eu-central-1', regime: 'GDPR', tenants: ['demo'] },
      ],
      /\[1\]\.name: duplicate name "eu"/,
    ],
    [
      'a GDPR cell outside the EU/EEA',
      [{ name: 'eu', region: 'us-east-1', regime: 'GDPR', tenants: ['demo'] }],
      /outside the GDPR residency regions/,
    ],
    [
      'a name unfit for a stack name',
      [{ name: 'EU_1', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] }],
      /\[0\]\.name: must be 1-12 lowercase/,
    ],
    [
      'an unknown field',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR', replicaRegion: 'us-east-1', tenants: ['demo'] }],
      /Unrecognized key/,
    ],
    [
      'a cell without tenants',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR' }],
      /\[0\]\.tenants: must list the tenant ids of the cell/,
    ],
    [
      'an empty tenant list',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: [] }],
      /\[0\]\.tenants: must list at least one tenant id/,
    ],
    [
      'a tenant id unfit for an app client name',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['Acme_Corp'] }],
      /\[0\]\.tenants\[0\]: must be 2-32 lowercase letters, digits or dashes/,
    ],
    [
      'a tenant id of one character',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['a'] }],
      /\[0\]\.tenants\[0\]: must be 2-32/,
    ],
    [
      'a duplicate tenant in a cell',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo', 'acme', 'demo'] }],
      /\[0\]\.tenants\[2\]: duplicate tenant "demo"/,
    ],
    [
      'a cell name Cognito refuses in a domain prefix',
      [{ name: 'laws', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] }],
      /\[0\]\.name: must not contain aws, amazon, cognito/,
    ],
    [
      'a per-IP limit below the WAF minimum',
      [
        {
          name: 'eu',
          region: 'eu-west-1',
          regime: 'GDPR',
          tenants: ['demo'],
          apiLimits: { rateLimit: 10, burstLimit: 20, perIpLimit: 5 },
        },
      ],
      /\[0\]\.apiLimits\.perIpLimit: must be at least 10/,
    ],
    [
      'a fractional rate limit',
      [
        {
          name: 'eu',
          region: 'eu-west-1',
          regime: 'GDPR',
          tenants: ['demo'],
          apiLimits: { rateLimit: 1.5, burstLimit: 20, perIpLimit: 100 },
        },
      ],
      /\[0\]\.apiLimits\.rateLimit: must be a whole number/,
    ],
    ['no cells at all', [], /at least one cell/],
    ['JSON that does not parse', '[{name:', /not valid JSON/],
  ])('rejects %s with a message naming the field', (_label, input, message) => {
    expect(() => parseCells(input)).toThrow(CellConfigError);
    expect(() => parseCells(input)).toThrow(message);
  });

  it('accepts inbound numbers of the cell tenants, and refuses a malformed number or an unknown tenant', () => {
    const base = { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] };
    expect(parseCells([{ ...base, inboundNumbers: { '+447700900001': 'demo' } }])[0]?.inboundNumbers).toEqual(
      {
        '+447700900001': 'demo',
      },
    );
    expect(() => parseCells([{ ...base, inboundNumbers: { '07700900001': 'demo' } }])).toThrow(/E\.164/);
    expect(() => parseCells([{ ...base, inboundNumbers: { '+447700900001': 'acme' } }])).toThrow(
      /names tenant "acme", which is not one of the cell's tenants/,
    );
  });
});
