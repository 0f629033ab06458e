import { Stack } from 'aws-cdk-lib';
import {
  AuthorizationType,
  HttpIntegration,
  LambdaIntegration,
  type CfnMethod,
  type IRestApi,
  type Method,
} from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  CONSOLE_BUNDLE_DIR,
  CONSOLE_PROXY_RESOURCE,
  CONSOLE_ROOT_RESOURCE,
} from '../../lambdas/api/console-function';
import { CONSOLE_CONFIG_ENV } from '../../lambdas/shared/env';
import { acknowledgeFindings } from './acknowledge';
import type { ConsoleSignIn } from './console-sign-in';
import { PlatformFunction } from './platform-function';

/** Where the token endpoint is proxied, below the console's resource: `<stage>/console/oauth2/token`. */
export const CONSOLE_TOKEN_RESOURCE = `${CONSOLE_ROOT_RESOURCE}/oauth2/token`;

/**
 * The console's URL on the stage's default endpoint, made from the API's id rather than its deployment URL: the
 * app client that needs it is referenced by the functions behind the API's methods, which the deployment waits
 * for, so the deployment's URL would close a dependency cycle.
 */
export function consoleUrlOf(api: IRestApi, stageName: string): string {
  const stack = Stack.of(api);
  return `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}${CONSOLE_ROOT_RESOURCE}/`;
}

export interface PrivacyConsoleProps {
  readonly api: IRestApi;
  /** The stage the API is deployed to: the console is served at `/<stageName>/console/`. */
  readonly stageName: string;
  /** The console's Cognito sign-in: its config.json is built from it. */
  readonly signIn: ConsoleSignIn;
  /** The Cognito domain's token endpoint (`https://<domain>/oauth2/token`), proxied at the same origin. */
  readonly tokenEndpoint: string;
  /** Key that encrypts the console function's log group. */
  readonly logsKey: IKey;
}

const STATIC_FILES_REASON =
  'The privacy console is a public single-page app: this method serves its static files and its sign-in ' +
  'config (public client id and endpoint URLs), never data, to a browser that has no token yet. Every ' +
  'data route under /v1 stays behind the Cognito authorizer; the stage WAF and throttling apply here too.';
const TOKEN_EXCHANGE_REASON =
  'The OAuth 2.0 token endpoint, anonymous by design (RFC 6749 §3.2): the authorization code and its PKCE ' +
  'verifier authenticate the exchange, for a public client without a secret. The integration URL is fixed ' +
  "to the cell's Cognito domain, so nothing else can be reached through it; the stage WAF and throttling apply.";

/**
 * The privacy console in a cell (DESIGN §11), served inside the cell's region at the origin of its API, so that
 * the page's Content-Security-Policy (`connect-src 'self'`) holds for every call:
 * - `GET <stage>/console` and `<stage>/console/{proxy+}`: a function that answers from the built console bundled
 *   beside it (built by Vite at synth) and from the sign-in config in its environment; it is granted nothing
 *   but its own log group and tracing;
 * - `POST <stage>/console/oauth2/token`: an HTTP proxy integration to the Cognito domain's token endpoint, so that
 *   the code exchange stays same-origin too. API Gateway passes the request and the response through unchanged
 *   and sets the Host header to the integration's host.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html
 *   https://repost.aws/knowledge-center/forward-host-header-api-gateway
 * None of the three has an authorizer: a browser reaches them before it holds a token.
 */
export class PrivacyConsole extends Construct {
  public readonly function: PlatformFunction;
  /** The three anonymous methods: the console root, its files, and the token proxy. */
  public readonly methods: readonly Method[];

  constructor(scope: Construct, id: string, props: PrivacyConsoleProps) {
    super(scope, id);

    this.function = new PlatformFunction(this, 'Function', {
      handler: 'console',
      serviceName: 'optline-console',
      description: 'optline privacy console: static files and sign-in config (lambdas/handlers/console.ts)',
      logsKey: props.logsKey,
      memorySize: 256,
      // The console is built from its sources, and the build copied beside the handler, every time the function
      // is bundled; the asset hash covers the copy.
      commandHooks: {
        beforeBundling: () => ['npm run --silent build:console'],
        beforeInstall: () => [],
        afterBundling: (inputDir, outputDir) => [
          `cp -R "${inputDir}/console/dist" "${outputDir}/${CONSOLE_BUNDLE_DIR}"`,
        ],
      },
    });
    const tokenPath = `/${props.stageName}${CONSOLE_TOKEN_RESOURCE}`;
    this.function.addEnvironment(
      CONSOLE_CONFIG_ENV,
      Stack.of(this).toJsonString(props.signIn.consoleConfig(tokenPath)),
    );

    const files = new LambdaIntegration(this.function, { proxy: true, allowTestInvoke: false });
    const root = props.api.root.resourceForPath(CONSOLE_ROOT_RESOURCE);
    const proxy = props.api.root.resourceForPath(CONSOLE_PROXY_RESOURCE);
    const token = props.api.root.resourceForPath(CONSOLE_TOKEN_RESOURCE);
    this.methods = [
      root.addMethod('GET', files, {
        operationName: 'getConsole',
        authorizationType: AuthorizationType.NONE,
      }),
      proxy.addMethod('GET', files, {
        operationName: 'getConsoleFile',
        authorizationType: AuthorizationType.NONE,
      }),
      token.addMethod(
        'POST',
        new HttpIntegration(props.tokenEndpoint, {
          httpMethod: 'POST',
          proxy: true,
          options: {
            // API Gateway passes a payload through as UTF-8 text when the API has no binaryMediaTypes, so the
            // answer must not come back compressed: ask Cognito for it as is, whatever the browser accepts.
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
            requestParameters: { 'integration.request.header.Accept-Encoding': "'identity'" },
          },
        }),
        { operationName: 'exchangeConsoleCode', authorizationType: AuthorizationType.NONE },
      ),
    ];
    this.methods.forEach((method, index) => {
      const reason = index === 2 ? TOKEN_EXCHANGE_REASON : STATIC_FILES_REASON;
      acknowledgeFindings(method.node.defaultChild as CfnMethod, reason, {
        nag: ['AwsSolutions-APIG4', 'AwsSolutions-COG4'],
        checkov: ['CKV_AWS_59'],
      });
    });
  }
}
