import {
  CELL_WIDE_IDENTITY,
  CellConfigError,
  cellsFromContext,
  DEFAULT_API_LIMITS,
  DEFAULT_CELLS,
  DEFAULT_SMS_MPS,
  sendRatesOf,
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

describe('cell configuration: concurrency reservations, tenant profiles and origination identities', () => {
  const base = { name: 'us', region: 'us-east-1', regime: 'CCPA', tenants: ['demo', 'acme'] };
  const demoProfile = { brand: 'Demo', contact: 'help@demo.example' };
  const profiles = { demo: demoProfile };
  /** A cell with the demo profile and one origination identity of demo, as given. */
  const withIdentity = (identity: object) => [
    { ...base, tenantProfiles: profiles, originationIdentities: [{ tenant: 'demo', ...identity }] },
  ];
  const rejects = (input: unknown, message: RegExp) => {
    expect(() => parseCells(input)).toThrow(CellConfigError);
    expect(() => parseCells(input)).toThrow(message);
  };

  it('accepts reserveConcurrency on or off, and leaves it unset otherwise (no reservation by default)', () => {
    const [on, off, unset] = parseCells([
      { ...base, reserveConcurrency: true },
      { ...base, name: 'ca', region: 'us-west-1', reserveConcurrency: false },
      { ...base, name: 'or', region: 'us-west-2' },
    ]);
    expect(on?.reserveConcurrency).toBe(true);
    expect(off?.reserveConcurrency).toBe(false);
    expect(unset?.reserveConcurrency).toBeUndefined();
  });

  it.each([
    ['a string', 'yes'],
    ['a number', 1],
    ['null', null],
  ])('refuses a reserveConcurrency that is %s, naming the field', (_label, value) => {
    rejects([{ ...base, reserveConcurrency: value }], /\[0\]\.reserveConcurrency: .*expected boolean/);
  });

  it('accepts a tenant profile with a brand of 20 characters, a contact and a help text of 160', () => {
    const acme = { brand: 'A'.repeat(20), contact: 'https://acme.example/help', helpText: 'h'.repeat(160) };
    const [cell] = parseCells([{ ...base, tenantProfiles: { demo: demoProfile, acme } }]);
    expect(cell?.tenantProfiles).toEqual({ demo: demoProfile, acme });
  });

  it.each([
    [
      'a brand of 21 characters',
      { brand: 'A'.repeat(21), contact: 'x' },
      /\.tenantProfiles\.demo\.brand: must be at most 20 characters/,
    ],
    ['an empty brand', { brand: '', contact: 'x' }, /\.tenantProfiles\.demo\.brand: /],
    ['no brand', { contact: 'x' }, /\.tenantProfiles\.demo\.brand: .*expected string/],
    ['no contact', { brand: 'Demo' }, /\.tenantProfiles\.demo\.contact: .*expected string/],
    ['an empty contact', { brand: 'Demo', contact: '' }, /\.tenantProfiles\.demo\.contact: /],
    [
      'a help text longer than one SMS (161 characters)',
      { ...demoProfile, helpText: 'h'.repeat(161) },
      /\.tenantProfiles\.demo\.helpText: must fit one SMS \(160 characters\)/,
    ],
    ['an empty help text', { ...demoProfile, helpText: '' }, /\.tenantProfiles\.demo\.helpText: /],
    [
      'an unknown field',
      { ...demoProfile, keywords: ['STOP'] },
      /\.tenantProfiles\.demo: Unrecognized key: "keywords"/,
    ],
  ])('refuses a tenant profile with %s, naming the field', (_label, profile, message) => {
    rejects([{ ...base, tenantProfiles: { demo: profile } }], message);
  });

  it('accepts a marketing frequency cap from 1 message in 1 day up to 100 in 180 days, and none at all', () => {
    for (const frequencyCap of [
      { messages: 1, days: 1 },
      { messages: 4, days: 7 },
      { messages: 100, days: 180 },
    ]) {
      const [cell] = parseCells([{ ...base, tenantProfiles: { demo: { ...demoProfile, frequencyCap } } }]);
      expect(cell?.tenantProfiles?.demo?.frequencyCap).toEqual(frequencyCap);
    }
    expect(
      parseCells([{ ...base, tenantProfiles: { demo: demoProfile } }])[0]?.tenantProfiles?.demo,
    ).not.toHaveProperty('frequencyCap');
  });

  it.each([
    ['zero messages', { messages: 0, days: 7 }, /frequencyCap\.messages: must be positive/],
    ['a fraction of a message', { messages: 2.5, days: 7 }, /frequencyCap\.messages: must be a whole number/],
    ['101 messages', { messages: 101, days: 7 }, /frequencyCap\.messages: must be at most 100 messages/],
    ['zero days', { messages: 4, days: 0 }, /frequencyCap\.days: must be positive/],
    ['half a day', { messages: 4, days: 0.5 }, /frequencyCap\.days: must be a whole number/],
    [
      '181 days, longer than messages are kept',
      { messages: 4, days: 181 },
      /frequencyCap\.days: must be at most 180 days \(messages are kept 6 months/,
    ],
    ['no days', { messages: 4 }, /frequencyCap\.days: .*expected number/],
    ['a string', { messages: '4', days: 7 }, /frequencyCap\.messages: .*expected number/],
    ['an unknown field', { messages: 4, days: 7, hours: 1 }, /frequencyCap: Unrecognized key: "hours"/],
  ])('refuses a frequency cap with %s, naming the field', (_label, frequencyCap, message) => {
    rejects([{ ...base, tenantProfiles: { demo: { ...demoProfile, frequencyCap } } }], message);
  });

  it('refuses a tenant profile for a tenant the cell does not serve, naming it', () => {
    rejects(
      [{ ...base, tenantProfiles: { demo: demoProfile, ghost: demoProfile } }],
      /\[0\]\.tenantProfiles\.ghost: "ghost" is not one of the cell's tenants/,
    );
  });

  it.each([
    ['SIMULATOR', 'US', undefined],
    ['LONG_CODE', 'GB', undefined],
    ['SENDER_ID', 'GB', 'DEMO'],
  ])('accepts a %s identity in %s for a tenant with a profile', (type, country, senderId) => {
    const identity = { name: 'main', type, country, tenant: 'demo', ...(senderId ? { senderId } : {}) };
    const [cell] = parseCells([{ ...base, tenantProfiles: profiles, originationIdentities: [identity] }]);
    expect(cell?.originationIdentities).toEqual([identity]);
  });

  // "Registering phone numbers is not supported by AWS CloudFormation", and an unregistered toll-free or 10DLC
  // number stays pending: the stack would wait for it, then roll back.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-smsvoice-phonenumber.html
  it.each([
    ['TOLL_FREE', 'US'],
    ['TOLL_FREE', 'CA'],
    ['TEN_DLC', 'US'],
  ])('refuses to provision a %s number in %s, which needs a registration first', (type, country) => {
    rejects(
      withIdentity({ name: 'main', type, country }),
      new RegExp(
        `\\[0\\]\\.originationIdentities\\[0\\]\\.type: a ${type} number must be registered before it can send`,
      ),
    );
  });

  it('takes a registered toll-free number under inboundNumbers with its type, so its carrier rules apply', () => {
    const [cell] = parseCells([
      {
        ...base,
        inboundNumbers: { '+18005550100': { tenant: 'demo', type: 'TOLL_FREE' }, '+447700900001': 'acme' },
      },
    ]);
    expect(cell?.inboundNumbers).toEqual({
      '+18005550100': { tenant: 'demo', type: 'TOLL_FREE' },
      '+447700900001': 'acme',
    });
    rejects(
      [{ ...base, inboundNumbers: { '+18005550100': { tenant: 'ghost', type: 'TOLL_FREE' } } }],
      /inboundNumbers\.\+18005550100: names tenant "ghost"/,
    );
  });

  it('accepts one identity for each of several tenants, each with its profile', () => {
    const identities = [
      { name: 'demo-sim', type: 'SIMULATOR', country: 'US', tenant: 'demo' },
      { name: 'acme-uk', type: 'SENDER_ID', country: 'GB', tenant: 'acme', senderId: 'ACME' },
    ];
    const acme = { brand: 'Acme', contact: 'help@acme.example' };
    const [cell] = parseCells([
      { ...base, tenantProfiles: { demo: demoProfile, acme }, originationIdentities: identities },
    ]);
    expect(cell?.originationIdentities).toEqual(identities);
  });

  it.each([
    [
      'an unknown type',
      { name: 'main', type: 'SHORT_CODE', country: 'US' },
      /\[0\]\.originationIdentities\[0\]\.type: must be one of SIMULATOR, LONG_CODE, TEN_DLC, TOLL_FREE, SENDER_ID/,
    ],
    // Origination simulator numbers exist only in the US.
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html
    [
      'a SIMULATOR outside the US',
      { name: 'main', type: 'SIMULATOR', country: 'GB' },
      /\[0\]\.originationIdentities\[0\]\.country: SIMULATOR exists only in US$/m,
    ],
    // Toll-free numbers: US and Canada only.
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html
    [
      'a TOLL_FREE outside the US and Canada',
      { name: 'main', type: 'TOLL_FREE', country: 'GB' },
      /\[0\]\.originationIdentities\[0\]\.country: TOLL_FREE exists only in US, CA/,
    ],
    // 10DLC is a US registration.
    // https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-sms-get-set-up-identities.html
    [
      'a TEN_DLC in Canada',
      { name: 'main', type: 'TEN_DLC', country: 'CA' },
      /\[0\]\.originationIdentities\[0\]\.country: TEN_DLC exists only in US$/m,
    ],
    [
      'a malformed country',
      { name: 'main', type: 'LONG_CODE', country: 'gb' },
      /\[0\]\.originationIdentities\[0\]\.country: must be an ISO 3166-1 alpha-2 code/,
    ],
    [
      'a SENDER_ID without its sender id',
      { name: 'main', type: 'SENDER_ID', country: 'GB' },
      /\[0\]\.originationIdentities\[0\]\.senderId: is required for a SENDER_ID/,
    ],
    [
      'a sender id on a phone number',
      { name: 'main', type: 'TOLL_FREE', country: 'US', senderId: 'DEMO' },
      /\[0\]\.originationIdentities\[0\]\.senderId: is required for a SENDER_ID and allowed for no other type/,
    ],
    [
      'an unknown field',
      { name: 'main', type: 'LONG_CODE', country: 'GB', throughput: 10 },
      /\[0\]\.originationIdentities\[0\]: Unrecognized key: "throughput"/,
    ],
  ])('refuses an identity with %s, naming the field', (_label, identity, message) => {
    rejects(withIdentity(identity), message);
  });

  it.each(['A', 'DEMO', 'ACME-UK', 'A1', '1A', 'A-B', 'ABCDEFGHIJK', '1234567890A'])(
    'accepts the sender id %s (1-11 capitals, digits or dashes, with a letter)',
    (senderId) => {
      const [cell] = parseCells(withIdentity({ name: 'main', type: 'SENDER_ID', country: 'GB', senderId }));
      expect(cell?.originationIdentities?.[0]?.senderId).toBe(senderId);
    },
  );

  it.each([
    ['that is empty', ''],
    ['of 12 characters', 'ABCDEFGHIJKL'],
    ['without a letter', '12345'],
    ['of dashes only', '---'],
    ['starting with a dash', '-ACME'],
    ['ending with a dash', 'ACME-'],
    ['in lower case', 'acme'],
    ['with a space', 'AC ME'],
    ['with an underscore', 'AC_ME'],
    ['with an accented letter', 'ACMÉ'],
  ])('refuses a sender id %s, naming the field', (_label, senderId) => {
    rejects(
      withIdentity({ name: 'main', type: 'SENDER_ID', country: 'GB', senderId }),
      /\[0\]\.originationIdentities\[0\]\.senderId: must be 1-11 capital letters, digits or dashes, with a letter/,
    );
  });

  it('refuses an identity of a tenant the cell does not serve, naming it', () => {
    rejects(
      [
        {
          ...base,
          tenantProfiles: profiles,
          originationIdentities: [{ name: 'main', type: 'SIMULATOR', country: 'US', tenant: 'ghost' }],
        },
      ],
      /\[0\]\.originationIdentities\[0\]\.tenant: "ghost" is not one of the cell's tenants/,
    );
  });

  it('refuses an identity of a tenant without a profile, since its HELP and STOP texts come from it', () => {
    rejects(
      [
        {
          ...base,
          tenantProfiles: profiles,
          originationIdentities: [{ name: 'main', type: 'SIMULATOR', country: 'US', tenant: 'acme' }],
        },
      ],
      /\[0\]\.originationIdentities\[0\]\.tenant: "acme" needs an entry in tenantProfiles/,
    );
    rejects(
      [
        {
          ...base,
          originationIdentities: [{ name: 'main', type: 'SIMULATOR', country: 'US', tenant: 'demo' }],
        },
      ],
      /\[0\]\.originationIdentities\[0\]\.tenant: "demo" needs an entry in tenantProfiles/,
    );
  });

  it('refuses two identities with the same name, naming the second', () => {
    rejects(
      [
        {
          ...base,
          tenantProfiles: profiles,
          originationIdentities: [
            { name: 'main', type: 'SIMULATOR', country: 'US', tenant: 'demo' },
            { name: 'backup', type: 'LONG_CODE', country: 'GB', tenant: 'acme' },
            { name: 'main', type: 'LONG_CODE', country: 'US', tenant: 'other' },
          ],
        },
      ],
      /\[0\]\.originationIdentities\[2\]\.name: duplicate name "main"/,
    );
  });

  it('refuses an identity named after the cell-wide send schedule', () => {
    rejects(
      [
        {
          ...base,
          tenantProfiles: profiles,
          originationIdentities: [
            { name: CELL_WIDE_IDENTITY, type: 'SIMULATOR', country: 'US', tenant: 'demo' },
          ],
        },
      ],
      /\[0\]\.originationIdentities\[0\]\.name: "cell" names the cell-wide send schedule/,
    );
  });

  // Several identities would share a pool, and a number in a pool can no longer be updated.
  // https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_UpdatePhoneNumber.html
  it('refuses a second identity for one tenant', () => {
    rejects(
      [
        {
          ...base,
          tenantProfiles: profiles,
          originationIdentities: [
            { name: 'main', type: 'SIMULATOR', country: 'US', tenant: 'demo' },
            { name: 'uk', type: 'SENDER_ID', country: 'GB', tenant: 'demo', senderId: 'DEMO' },
          ],
        },
      ],
      /\[0\]\.originationIdentities: tenant "demo" has 2 identities; a cell provisions one per tenant/,
    );
  });

  describe('send rate per origination identity', () => {
    // Usual MPS of End User Messaging origination identities: US short code 100, US toll-free 3, US 10DLC 1 until
    // raised. https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-mps.html
    it('gives each provisioned identity its own mps, and smsMps to an identity without one', () => {
      const [cell] = parseCells([
        {
          ...base,
          tenants: ['demo', 'acme'],
          smsMps: 20,
          tenantProfiles: { ...profiles, acme: { brand: 'Acme', contact: 'help@acme.example' } },
          originationIdentities: [
            { name: 'main', type: 'LONG_CODE', country: 'GB', tenant: 'demo', mps: 10 },
            { name: 'acme', type: 'SIMULATOR', country: 'US', tenant: 'acme' },
          ],
        },
      ]);
      // Channels that name no provisioned identity keep the cell-wide schedule at smsMps.
      expect(sendRatesOf(cell!)).toEqual({ main: 10, acme: 20, [CELL_WIDE_IDENTITY]: 20 });
    });

    it('keeps the cell-wide smsMps as one schedule when the cell provisions no identities', () => {
      const [withRate, withDefault] = parseCells([
        { ...base, smsMps: 100 },
        { ...base, name: 'ca', region: 'us-west-1' },
      ]);
      expect(sendRatesOf(withRate!)).toEqual({ [CELL_WIDE_IDENTITY]: 100 });
      expect(sendRatesOf(withDefault!)).toEqual({ [CELL_WIDE_IDENTITY]: DEFAULT_SMS_MPS });
    });

    it('accepts a fractional rate and the 1,000 MPS ceiling', () => {
      for (const mps of [0.25, 1, 3, 100, 1000]) {
        const [cell] = parseCells(withIdentity({ name: 'main', type: 'LONG_CODE', country: 'GB', mps }));
        expect(cell?.originationIdentities?.[0]?.mps).toBe(mps);
      }
    });

    it.each([
      ['zero', 0, /must be positive/],
      ['a negative rate', -1, /must be positive/],
      ['more than 1,000', 1001, /must be at most 1000/],
      ['infinity', Number.POSITIVE_INFINITY, /originationIdentities\[0\]\.mps/],
      ['a string', '3', /originationIdentities\[0\]\.mps/],
    ])('refuses an mps of %s, naming the field', (_label, mps, message) => {
      rejects(withIdentity({ name: 'main', type: 'LONG_CODE', country: 'GB', mps }), message);
      rejects(
        withIdentity({ name: 'main', type: 'LONG_CODE', country: 'GB', mps }),
        /\[0\]\.originationIdentities\[0\]\.mps: /,
      );
    });
  });

  it('accepts an identity name of 32 characters', () => {
    const name = `a${'1'.repeat(31)}`;
    const [cell] = parseCells(withIdentity({ name, type: 'SIMULATOR', country: 'US' }));
    expect(cell?.originationIdentities?.[0]?.name).toBe(name);
  });

  it.each([
    ['that is empty', ''],
    ['with a capital', 'Main'],
    ['starting with a digit', '1main'],
    ['starting with a dash', '-main'],
    ['with an underscore', 'main_number'],
    ['of 33 characters', `a${'1'.repeat(32)}`],
  ])('refuses an identity name %s, naming the field', (_label, name) => {
    rejects(
      withIdentity({ name, type: 'SIMULATOR', country: 'US' }),
      /\[0\]\.originationIdentities\[0\]\.name: must be 1-32 lowercase letters, digits or dashes/,
    );
  });
});
