import { CONSOLE_CSP, consoleResponse, type ConsoleFiles } from '../../lambdas/api/console-assets';
import { parseConsoleConfig } from '../../lambdas/shared/console-config';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const textOf = (body: Uint8Array): string => new TextDecoder().decode(body);

const FILES: ConsoleFiles = new Map([
  ['index.html', bytes('<!doctype html><title>optline</title>')],
  ['assets/index-3f2a9c.js', bytes('console.log(1)')],
  ['assets/index-77b1e0.css', bytes('body{}')],
  ['favicon.svg', bytes('<svg/>')],
]);
const LOCAL = { mode: 'local' } as const;

describe('serving the privacy console', () => {
  it('answers /console/ and every extension-less app route with index.html, revalidated on each load', () => {
    for (const path of ['', 'subscriber', 'requests', 'activity/daily']) {
      const response = consoleResponse('GET', path, FILES, LOCAL);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(textOf(response.body)).toContain('<title>optline</title>');
    }
  });

  it('caches hashed assets for a year with their own content types, and other files only with revalidation', () => {
    const script = consoleResponse('GET', 'assets/index-3f2a9c.js', FILES, LOCAL);
    expect(script.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(textOf(script.body)).toBe('console.log(1)');
    expect(consoleResponse('GET', 'assets/index-77b1e0.css', FILES, LOCAL).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect(consoleResponse('GET', 'favicon.svg', FILES, LOCAL).headers).toMatchObject({
      'content-type': 'image/svg+xml',
      'cache-control': 'no-cache',
    });
  });

  it('serves the sign-in config as JSON that is never cached', () => {
    const cognito = {
      mode: 'cognito',
      authorizeUrl: 'https://auth.example/oauth2/authorize',
      tokenUrl: '/prod/console/token',
      clientId: 'abc',
      scopes: ['openid'],
    } as const;
    const response = consoleResponse('GET', 'config.json', FILES, cognito);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(parseConsoleConfig(JSON.parse(textOf(response.body)))).toEqual(cognito);
    expect(JSON.parse(textOf(consoleResponse('GET', 'config.json', FILES, LOCAL).body))).toEqual(LOCAL);
  });

  it('puts the strict CSP, nosniff and no-referrer on every answer, errors included', () => {
    const answers = [
      consoleResponse('GET', '', FILES, LOCAL),
      consoleResponse('GET', 'assets/index-3f2a9c.js', FILES, LOCAL),
      consoleResponse('GET', 'config.json', FILES, LOCAL),
      consoleResponse('GET', 'missing.js', FILES, LOCAL),
      consoleResponse('POST', '', FILES, LOCAL),
      consoleResponse('GET', undefined, FILES, LOCAL),
    ];
    for (const response of answers) {
      expect(response.headers).toMatchObject({
        'content-security-policy': CONSOLE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });

  it('refuses missing files, paths that climb out and encoded separators with 404', () => {
    for (const path of [
      'assets/missing.js',
      '../package.json',
      'assets/..%2Fsecret.js',
      'assets%2Findex.js',
    ]) {
      const response = consoleResponse('GET', path, FILES, LOCAL);
      expect(response.statusCode).toBe(404);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('redirects /console to /console/ with a relative location, which also works under a stage path', () => {
    const response = consoleResponse('GET', undefined, FILES, LOCAL);
    expect(response.statusCode).toBe(308);
    expect(response.headers.location).toBe('console/');
  });

  it('serves GET and HEAD only; HEAD has the headers and no body', () => {
    const head = consoleResponse('HEAD', 'assets/index-3f2a9c.js', FILES, LOCAL);
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(head.body).toHaveLength(0);
    const post = consoleResponse('POST', '', FILES, LOCAL);
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('says the console is not built, rather than serving an empty page, when there is no index.html', () => {
    const response = consoleResponse('GET', '', new Map(), LOCAL);
    expect(response.statusCode).toBe(503);
    expect(textOf(response.body)).toContain('npm run build:console');
  });
});

describe('the console sign-in config', () => {
  it('accepts the local and the Cognito shapes, and nothing else', () => {
    expect(parseConsoleConfig({ mode: 'local' })).toEqual({ mode: 'local' });
    const cognito = {
      mode: 'cognito',
      authorizeUrl: 'https://a/oauth2/authorize',
      tokenUrl: '/t',
      clientId: 'c',
      scopes: ['openid', 'optline/dsr.manage'],
      logoutUrl: 'https://a/logout',
    };
    expect(parseConsoleConfig(cognito)).toEqual(cognito);
    expect(parseConsoleConfig({ ...cognito, clientId: '' })).toBeUndefined();
    expect(parseConsoleConfig({ ...cognito, scopes: 'openid' })).toBeUndefined();
    expect(parseConsoleConfig({ ...cognito, logoutUrl: 3 })).toBeUndefined();
    expect(parseConsoleConfig({ mode: 'other' })).toBeUndefined();
    expect(parseConsoleConfig(null)).toBeUndefined();
  });
});
