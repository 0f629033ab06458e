import { Duration } from 'aws-cdk-lib';
import {
  CfnManagedLoginBranding,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolGroup,
  type IUserPool,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES, staffGroupName, type Role } from '../../lambdas/api/roles';
import type { CognitoConsoleConfig } from '../../lambdas/shared/console-config';

export interface ConsoleSignInProps {
  /** The cell's pool; its feature plan must allow managed login (Essentials or above). */
  readonly userPool: IUserPool;
  /** The pool's Cognito domain, serving managed login (version 2) and the OAuth 2.0 endpoints. */
  readonly domain: UserPoolDomain;
  /** Name of the app client. */
  readonly clientName: string;
  /** The resource-server scopes staff roles need, besides `openid`. */
  readonly scopes: readonly OAuthScope[];
  /** The console's own URL (`https://…/<stage>/console/`): where sign-in and sign-out come back to. */
  readonly consoleUrl: string;
  /** The cell's tenants: each gets one group per staff role. */
  readonly tenants: readonly string[];
}

/**
 * Human sign-in to the privacy console through the cell's Cognito managed login (DESIGN §11):
 * - one public app client (no secret: a browser cannot keep one) with only the authorization code grant, which the
 *   console completes with PKCE (RFC 7636), coming back to the console's URL only;
 * - Cognito's default branding style for that client, which managed login needs before it shows the client's pages;
 * - one group per tenant and role (`<tenant>.<role>`): an administrator puts each member of staff in exactly one,
 *   and the API reads tenant and role from it (lambdas/api/callers.ts).
 */
export class ConsoleSignIn extends Construct {
  public readonly client: UserPoolClient;
  /** Each tenant's staff groups, by tenant id and role. */
  public readonly groups: ReadonlyMap<string, Readonly<Record<Role, UserPoolGroup>>>;
  private readonly props: ConsoleSignInProps;

  constructor(scope: Construct, id: string, props: ConsoleSignInProps) {
    super(scope, id);
    this.props = props;

    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: props.clientName,
      generateSecret: false,
      // Managed login offers the sign-in methods the app client allows: choice-based sign-in (ALLOW_USER_AUTH,
      // Essentials plan), which covers passwords and SRP. No custom flow, and no plain-password flow on the API.
      // https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flows-selection-managedlogin.html
      authFlows: { user: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, ...props.scopes],
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      // A working session of an hour; the console signs in again after it (it keeps no refresh token).
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.groups = new Map(
      props.tenants.map((tenantId) => [
        tenantId,
        Object.fromEntries(
          ROLES.map((role) => [
            role,
            new UserPoolGroup(this, `${tenantId}-${role}`, {
              userPool: props.userPool,
              groupName: staffGroupName(tenantId, role),
              description: `${tenantId} staff, ${role}: put each member of staff in exactly one optline group`,
            }),
          ]),
        ) as Record<Role, UserPoolGroup>,
      ]),
    );
  }

  /**
   * The console's `config.json`: managed login's authorization endpoint, the token endpoint at `tokenPath` (a
   * same-origin path that API Gateway proxies to Cognito's), the client, its scopes and the sign-out URL.
   * https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
   * https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
   */
  public consoleConfig(tokenPath: string): CognitoConsoleConfig {
    const base = this.props.domain.baseUrl();
    const clientId = this.client.userPoolClientId;
    return {
      mode: 'cognito',
      authorizeUrl: `${base}/oauth2/authorize`,
      tokenUrl: tokenPath,
      clientId,
      scopes: ['openid', ...this.props.scopes.map((scope) => scope.scopeName)],
      // Not percent-encoded: the URL holds deploy-time tokens, and its characters (:/.) are legal in a query.
      logoutUrl: `${base}/logout?client_id=${clientId}&logout_uri=${this.props.consoleUrl}`,
    };
  }
}
