import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadConsoleFiles } from '../../lambdas/adapters/console-files';
import { CONSOLE_CSP } from '../../lambdas/api/console-assets';
import {
  CONSOLE_PROXY_RESOURCE,
  CONSOLE_ROOT_RESOURCE,
  consoleProxyHandler,
} from '../../lambdas/api/console-function';
import type { CognitoConsoleConfig } from '../../lambdas/shared/console-config';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../../local/console-files';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

const INDEX =
  '<!doctype html><title>optline privacy console</title><script src="./assets/index-abc.js"></script>';
const SCRIPT = 'console.log("élan");';
const files = new Map([
  ['index.html', text(INDEX)],
  ['assets/index-abc.js', text(SCRIPT)],
  ['assets/index-abc.css', text('body{margin:0}')],
]);
const config: CognitoConsoleConfig = {
  mode: 'cognito',
  authorizeUrl: 'https://optline-eu-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
  tokenUrl: '/prod/console/oauth2/token',
  clientId: 'console-client',
  scopes: ['openid', 'optline/dsr.read'],
  logoutUrl:
    'https://optline-eu-123456789012.auth.eu-west-1.amazoncognito.com/logout?client_id=console-client',
};

/** A REST API proxy event: `path` is the request path below the stage, `resource` the matched resource. */
function event(resource: string, path: string, proxy?: string): APIGatewayProxyEvent {
  return {
    resource,
    path,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    pathParameters: proxy === undefined ? null : { proxy },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: null,
    requestContext: { requestId: 'r-1' } as never,
  };
}

describe('the console function of a cell', () => {
  const handler = consoleProxyHandler(files, config);

  it('redirects the bare /console to /console/, relative to the stage, so the page’s relative assets resolve', async () => {
    const result = await handler(event(CONSOLE_ROOT_RESOURCE, '/console'));
    expect(result.statusCode).toBe(308);
    expect(result.headers).toMatchObject({ location: 'console/' });
  });

  it('answers /console/ (routed to the /console resource, with the slash kept in the path) with the page', async () => {
    const result = await handler(event(CONSOLE_ROOT_RESOURCE, '/console/'));
    expect(result).toMatchObject({ statusCode: 200, body: INDEX, isBase64Encoded: false });
    expect(result.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONSOLE_CSP,
    });
  });

  it('serves a built asset as UTF-8 text, cached for a year', async () => {
    const result = await handler(
      event(CONSOLE_PROXY_RESOURCE, '/console/assets/index-abc.js', 'assets/index-abc.js'),
    );
    expect(result).toMatchObject({ statusCode: 200, body: SCRIPT, isBase64Encoded: false });
    expect(result.headers).toMatchObject({ 'cache-control': 'public, max-age=31536000, immutable' });
  });

  it('serves an app route (no extension) with the page, and an unknown file as 404', async () => {
    expect(await handler(event(CONSOLE_PROXY_RESOURCE, '/console/requests', 'requests'))).toMatchObject({
      statusCode: 200,
      body: INDEX,
    });
    expect(
      await handler(event(CONSOLE_PROXY_RESOURCE, '/console/assets/gone.js', 'assets/gone.js')),
    ).toMatchObject({ statusCode: 404 });
  });

  it('answers config.json with the Cognito sign-in config, never cached', async () => {
    const result = await handler(event(CONSOLE_PROXY_RESOURCE, '/console/config.json', 'config.json'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual(config);
    expect(result.headers).toMatchObject({ 'cache-control': 'no-store' });
  });

  it('refuses to start with a binary file in the build, which the API would not pass through as text', () => {
    const withIcon = new Map([...files, ['favicon.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47])]]);
    expect(() => consoleProxyHandler(withIcon, config)).toThrow(/favicon\.png/);
  });

  it('reads the files it serves from a directory, by their paths relative to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc.js'), SCRIPT);
    const loaded = loadConsoleFiles(dir);
    expect([...loaded.keys()].sort()).toEqual(['assets/index-abc.js', 'index.html']);
    expect(new TextDecoder().decode(loaded.get('assets/index-abc.js'))).toBe(SCRIPT);
    expect(loadConsoleFiles(join(dir, 'missing')).size).toBe(0);
  });

  it('starts with the real console build: every file Vite builds is text, so the API needs no binary media types', () => {
    ensureConsoleBuilt();
    const built = loadConsoleFiles(CONSOLE_DIST);
    expect(built.has('index.html')).toBe(true);
    expect(() => consoleProxyHandler(built, config)).not.toThrow();
  });
});
