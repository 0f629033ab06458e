/**
 * The privacy console as a cell serves it (DESIGN §11): a Lambda proxy integration of the cell's REST API at
 * `<stage>/console` and `<stage>/console/{proxy+}`, answering from the built files through `consoleResponse`,
 * as the local server does. No authorizer stands in front of it: it serves static files and the sign-in config,
 * never data.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { CognitoConsoleConfig } from '../shared/console-config';
import { consoleResponse, type ConsoleFiles } from './console-assets';

/** Where the built console sits in the function's bundle, beside the handler. */
export const CONSOLE_BUNDLE_DIR = 'console';

/** The API Gateway resources the function serves; their paths are the `event.resource` it receives. */
export const CONSOLE_ROOT_RESOURCE = '/console';
export const CONSOLE_PROXY_RESOURCE = '/console/{proxy+}';

/**
 * Content types a REST API returns from a Lambda proxy integration as they are: text. Anything else would need a
 * base64 body and the API's `binaryMediaTypes`, which the console does not need (its build is HTML, CSS, JS and
 * JSON), so a binary file in the build fails the function's start instead of being served corrupted.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html
 */
const TEXT_CONTENT = /^(text\/|application\/json|image\/svg\+xml)/;

const textual = (headers: Readonly<Record<string, string>>): boolean =>
  TEXT_CONTENT.test(headers['content-type'] ?? '');

/**
 * The path below `/console/` that consoleResponse takes. A REST API routes `/console/` to the `/console`
 * resource, but keeps the trailing slash in `event.path`: that slash is what tells the page from the bare
 * `/console`, which is redirected to it.
 */
function consolePath(event: APIGatewayProxyEvent): string | undefined {
  if (event.resource === CONSOLE_PROXY_RESOURCE) return event.pathParameters?.proxy ?? '';
  return event.path.endsWith('/') ? '' : undefined;
}

/**
 * Builds the handler from the files and the sign-in config, read once at cold start.
 * @throws when a built file has a content type API Gateway would not pass through as text
 */
export function consoleProxyHandler(
  files: ConsoleFiles,
  config: CognitoConsoleConfig,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const binary = [...files.keys()].filter(
    (path) => !textual(consoleResponse('GET', path, files, config).headers),
  );
  if (binary.length > 0) {
    throw new Error(`The console build has files API Gateway cannot serve as text: ${binary.join(', ')}`);
  }
  return async (event) => {
    const response = consoleResponse(event.httpMethod, consolePath(event), files, config);
    return {
      statusCode: response.statusCode,
      headers: { ...response.headers },
      body: Buffer.from(response.body).toString('utf8'),
      isBase64Encoded: false,
    };
  };
}
