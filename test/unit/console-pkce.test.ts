import { createHash } from 'node:crypto';
import {
  authorizeUrl,
  base64Url,
  newCodeVerifier,
  newState,
  readCallback,
  s256Challenge,
  tokenRequestBody,
} from '../../console/src/auth/pkce';

describe('PKCE and state for the console sign-in (RFC 7636, RFC 6749)', () => {
  it('makes code verifiers of 43 unreserved characters, different every time', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => newCodeVerifier()));
    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43}$/);
  });

  it('derives the S256 challenge of RFC 7636 Appendix B', async () => {
    // The verifier and challenge printed in RFC 7636, Appendix B.
    await expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('derives the challenge as base64url(SHA-256(verifier)) for any verifier', async () => {
    const verifier = newCodeVerifier();
    const expected = createHash('sha256').update(verifier).digest('base64url');
    await expect(s256Challenge(verifier)).resolves.toBe(expected);
  });

  it('encodes base64url without padding', () => {
    expect(base64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(newState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('asks for a code with the S256 challenge, the state, the scopes and the redirect', () => {
    const url = new URL(
      authorizeUrl({
        authorizeUrl: 'https://login.example/oauth2/authorize',
        clientId: 'console-client',
        redirectUri: 'https://api.example/prod/console/',
        scopes: ['openid', 'optline/dsr.manage'],
        state: 'st4te',
        codeChallenge: 'ch4llenge',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://login.example/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'console-client',
      redirect_uri: 'https://api.example/prod/console/',
      scope: 'openid optline/dsr.manage',
      state: 'st4te',
      code_challenge: 'ch4llenge',
      code_challenge_method: 'S256',
    });
  });

  it('accepts a code only with the state this session sent', () => {
    expect(readCallback('?code=abc&state=s1', 's1')).toEqual({ kind: 'code', code: 'abc' });
    expect(readCallback('?code=abc&state=forged', 's1').kind).toBe('error');
    expect(readCallback('?code=abc&state=s1', undefined).kind).toBe('error');
    expect(readCallback('?code=abc', 's1').kind).toBe('error');
    expect(readCallback('', 's1')).toEqual({ kind: 'none' });
  });

  it('reports an error response of the authorization server, if its state matches', () => {
    expect(readCallback('?error=access_denied&error_description=Not+allowed&state=s1', 's1')).toEqual({
      kind: 'error',
      message: 'Sign-in failed: Not allowed',
    });
  });

  it('redeems the code with its verifier and the same redirect URI', () => {
    const body = tokenRequestBody({
      clientId: 'console-client',
      code: 'abc',
      redirectUri: 'https://api.example/prod/console/',
      codeVerifier: 'v'.repeat(43),
    });
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'console-client',
      code: 'abc',
      redirect_uri: 'https://api.example/prod/console/',
      code_verifier: 'v'.repeat(43),
    });
  });
});
