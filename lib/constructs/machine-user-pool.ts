import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
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
   * Scopes of the platform operator: granted only to the one operator app client, never to a tenant's.
   * @default - none, and no operator client
   */
  readonly operatorScopes?: readonly string[];
}

/**
 * A Cognito user pool for machine-to-machine access only (OAuth 2.0 client credentials):
 * - no self sign-up and no account recovery: the pool is not meant to hold users;
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
      // Nobody signs in to this pool. Should a user ever be created by an administrator, it needs a TOTP
      // second factor and a strong password; REQUIRED can only be chosen when a pool is created.
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
      // Client-credentials tokens are available in every feature plan; the user features of the others are unused.
      featurePlan: FeaturePlan.LITE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    acknowledgeFindings(
      this.userPool.node.defaultChild as CfnUserPool,
      'The Plus plan adds threat protection for user sign-ins (compromised credentials, adaptive ' +
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

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

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
