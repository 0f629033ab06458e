import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  UserPoolClientIdentityProvider,
  type CfnUserPool,
  type UserPoolClient,
  type UserPoolDomain,
  type UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';

export interface MachineUserPoolProps {
  /** Name of the pool; app clients are named `<name>-<tenant>`. */
  readonly name: string;
  /** Globally unique (per region) prefix of the Cognito domain that serves the token endpoint. */
  readonly domainPrefix: string;
  /** Identifier of the resource server; scopes appear in tokens as `<identifier>/<scope>`. */
  readonly resourceServerId: string;
  /** OAuth scopes of the resource server, each with its description. */
  readonly scopes: Readonly<Record<string, string>>;
  /** One app client is created per tenant id. */
  readonly tenants: readonly string[];
  /**
   * Whether people sign in to the pool as well (the privacy console's staff), through managed login on its
   * domain. Managed login needs the Essentials feature plan or above: on Lite, the classic hosted UI is the only
   * choice. https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-managed-login.html
   * @default false - machine clients only, on the Lite plan
   */
  readonly managedLogin?: boolean;
  /**
   * Scopes of the platform operator: granted only to the one operator app client, never to a tenant's.
   * @default - none, and no operator client
   */
  readonly operatorScopes?: readonly string[];
}

/**
 * A Cognito user pool for machine-to-machine access (OAuth 2.0 client credentials), and optionally for the staff
 * an administrator adds (`managedLogin`):
 * - no self sign-up and no account recovery: only an administrator creates or resets a user;
 * - a resource server with the API's scopes, and a Cognito domain serving `/oauth2/token`;
 * - one confidential app client per tenant, with only the client-credentials flow and every tenant scope;
 * - with `operatorScopes`, one more for the platform operator, holding those scopes and no other;
 * - deletion protection and `RemovalPolicy.RETAIN`, because replacing the pool would replace every tenant's
 *   client id and secret.
 */
export class MachineUserPool extends Construct {
  public readonly userPool: UserPool;
  public readonly resourceServer: UserPoolResourceServer;
  public readonly domain: UserPoolDomain;
  /** Each tenant's app client, by tenant id. */
  public readonly clients: ReadonlyMap<string, UserPoolClient>;
  /** The platform operator's app client (client credentials, operator scopes only), when it has scopes. */
  public readonly operatorClient?: UserPoolClient;
  /** `<resourceServerId>/<scope>` by scope, as tokens carry them and authorizers check them. */
  public readonly oauthScopes: Readonly<Record<string, OAuthScope>>;

  constructor(scope: Construct, id: string, props: MachineUserPoolProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: props.name,
      selfSignUpEnabled: false,
      accountRecovery: AccountRecovery.NONE,
      // Every user an administrator creates (console staff) needs a TOTP second factor and a strong password;
      // REQUIRED can only be chosen when a pool is created.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 16,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      // Client-credentials tokens are available in every feature plan. Managed login needs Essentials; Plus would
      // add threat protection (see the acknowledgement below).
      featurePlan: props.managedLogin ? FeaturePlan.ESSENTIALS : FeaturePlan.LITE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    acknowledgeFindings(
      this.userPool.node.defaultChild as CfnUserPool,
      props.managedLogin
        ? 'The Plus plan adds threat protection for user sign-ins (compromised credentials, adaptive ' +
            'authentication) at a higher price per monthly active user and with no free tier. The only people ' +
            'who sign in are a few staff members per tenant, each created by an administrator (no self sign-up), ' +
            'with a 16-character password and a TOTP second factor that the pool requires; Essentials is enough ' +
            'for managed login.'
        : 'The Plus plan adds threat protection for user sign-ins (compromised credentials, adaptive ' +
            'authentication). This pool has no users: it issues tokens only through the client-credentials grant, ' +
            'which threat protection does not cover.',
      { nag: ['AwsSolutions-COG8'] },
    );

    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: props.resourceServerId,
      userPoolResourceServerName: `${props.name} API`,
      scopes: Object.entries(props.scopes).map(
        ([scopeName, scopeDescription]) => new ResourceServerScope({ scopeName, scopeDescription }),
      ),
    });
    this.oauthScopes = Object.fromEntries(
      Object.entries(props.scopes).map(([scopeName, scopeDescription]) => [
        scopeName,
        OAuthScope.resourceServer(
          this.resourceServer,
          new ResourceServerScope({ scopeName, scopeDescription }),
        ),
      ]),
    );

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      // Managed login shows an app client's pages only once that client has a branding style (ConsoleSignIn).
      managedLoginVersion: props.managedLogin ? ManagedLoginVersion.NEWER_MANAGED_LOGIN : undefined,
    });

    const operatorScopes = new Set(props.operatorScopes ?? []);
    const scopesWhere = (operator: boolean) =>
      Object.entries(this.oauthScopes)
        .filter(([name]) => operatorScopes.has(name) === operator)
        .map(([, scope]) => scope);
    const machineClient = (id: string, scopes: OAuthScope[]) =>
      this.userPool.addClient(id, {
        userPoolClientName: `${props.name}-${id}`,
        generateSecret: true,
        // A key listed with no flow enabled leaves ALLOW_REFRESH_TOKEN_AUTH alone, instead of Cognito's default
        // of SRP and custom authentication as well: this client signs no user in.
        authFlows: { userSrp: false },
        oAuth: { flows: { clientCredentials: true }, scopes },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        accessTokenValidity: Duration.hours(1),
        enableTokenRevocation: true,
        preventUserExistenceErrors: true,
      });

    const tenantScopes = scopesWhere(false);
    this.clients = new Map(
      props.tenants.map((tenantId) => [tenantId, machineClient(tenantId, tenantScopes)]),
    );
    // Construct id `Operator`: tenant ids are lower case, so it cannot collide with a tenant's client.
    if (operatorScopes.size > 0) this.operatorClient = machineClient('Operator', scopesWhere(true));
  }

  /** The OAuth 2.0 token endpoint where tenants exchange their client id and secret for an access token. */
  public tokenUrl(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }
}
