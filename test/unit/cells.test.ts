import { CellConfigError, cellsFromContext, DEFAULT_CELLS, parseCells } from '../../lib/config';

describe('cell configuration', () => {
  it('defaults to an eu cell in eu-west-1 under GDPR and a us cell in us-east-1 under CCPA', () => {
    expect(cellsFromContext(undefined)).toEqual([
      { name: 'eu', region: 'eu-west-1', regime: 'GDPR' },
      { name: 'us', region: 'us-east-1', regime: 'CCPA' },
    ]);
  });

  it('replaces the defaults with a valid context override, given as an array or as JSON text', () => {
    const override = [{ name: 'de', region: 'eu-central-1', regime: 'GDPR' }];
    expect(cellsFromContext(override)).toEqual(override);
    expect(cellsFromContext(JSON.stringify(override))).toEqual(override);
    expect(DEFAULT_CELLS).toHaveLength(2);
  });

  it.each([
    [
      'an unknown regime',
      [{ name: 'eu', region: 'eu-west-1', regime: 'LGPD' }],
      /\[0\]\.regime: must be one of GDPR, CCPA/,
    ],
    [
      'a malformed region',
      [{ name: 'eu', region: 'Ireland', regime: 'GDPR' }],
      /\[0\]\.region: must be an AWS region name/,
    ],
    [
      'a duplicate region',
      [
        { name: 'eu', region: 'eu-west-1', regime: 'GDPR' },
        { name: 'ie', region: 'eu-west-1', regime: 'GDPR' },
      ],
      /\[1\]\.region: duplicate region "eu-west-1"/,
    ],
    [
      'a duplicate name',
      [
        { name: 'eu', region: 'eu-west-1', regime: 'GDPR' },
        { name: 'eu', region: 'eu-central-1', regime: 'GDPR' },
      ],
      /\[1\]\.name: duplicate name "eu"/,
    ],
    [
      'a GDPR cell outside the EU/EEA',
      [{ name: 'eu', region: 'us-east-1', regime: 'GDPR' }],
      /outside the GDPR residency regions/,
    ],
    [
      'a name unfit for a stack name',
      [{ name: 'EU_1', region: 'eu-west-1', regime: 'GDPR' }],
      /\[0\]\.name: must be 1-12 lowercase/,
    ],
    [
      'an unknown field',
      [{ name: 'eu', region: 'eu-west-1', regime: 'GDPR', replicaRegion: 'us-east-1' }],
      /Unrecognized key/,
    ],
    ['no cells at all', [], /at least one cell/],
    ['JSON that does not parse', '[{name:', /not valid JSON/],
  ])('rejects %s with a message naming the field', (_label, input, message) => {
    expect(() => parseCells(input)).toThrow(CellConfigError);
    expect(() => parseCells(input)).toThrow(message);
  });
});
