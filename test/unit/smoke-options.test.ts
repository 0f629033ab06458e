import { parseSmokeArgs, UsageError } from '../../scripts/smoke/options';

describe('npm run smoke: command line', () => {
  it('runs against the local server with the documented defaults', () => {
    expect(parseSmokeArgs([])).toStrictEqual({
      mode: 'local',
      url: 'http://127.0.0.1:3000',
      token: 'local-demo',
      waitMs: 60_000,
    });
  });

  it('takes a local URL (without its trailing slash), a token and a wait', () => {
    expect(
      parseSmokeArgs(['--url', 'http://127.0.0.1:4000/', '--token', 'local-acme', '--wait', '2.5']),
    ).toStrictEqual({
      mode: 'local',
      url: 'http://127.0.0.1:4000',
      token: 'local-acme',
      waitMs: 2_500,
    });
  });

  it('runs against a deployed cell with --cell and --tenant, and optional region and client', () => {
    expect(parseSmokeArgs(['--cell', 'us', '--tenant', 'demo'])).toStrictEqual({
      mode: 'deployed',
      cell: 'us',
      tenant: 'demo',
      waitMs: 60_000,
    });
    expect(
      parseSmokeArgs([
        '--cell=sandbox',
        '--tenant=demo',
        '--region=us-west-2',
        '--client-id=abc',
        '--client-secret=s3cr3t',
      ]),
    ).toStrictEqual({
      mode: 'deployed',
      cell: 'sandbox',
      tenant: 'demo',
      region: 'us-west-2',
      client: { id: 'abc', secret: 's3cr3t' },
      waitMs: 60_000,
    });
  });

  it.each([
    [['--cell', 'us'], /both --cell and --tenant/],
    [['--tenant', 'demo'], /both --cell and --tenant/],
    [['--cell', 'us', '--tenant', 'demo', '--url', 'http://x'], /--url and --token are for a local server/],
    [
      ['--cell', 'us', '--tenant', 'demo', '--client-id', 'abc'],
      /--client-id and --client-secret go together/,
    ],
    [['--wait', '0'], /--wait must be a positive number/],
    [['--wait', 'soon'], /--wait must be a positive number/],
    [['--url', 'ftp://x'], /--url must be an http\(s\) URL/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['positional'], /positional/i],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSmokeArgs(argv)).toThrow(UsageError);
    expect(() => parseSmokeArgs(argv)).toThrow(message);
  });
});
