/**
 * Requests the local server cannot take apart: a request line or header node:http refuses, a target that is not
 * a URL, a path segment that is not percent-encoding. Each is bad input, answered with problem+json like any
 * other, never with a 500 or node's bare 400.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  InvalidInputError,
  PayloadTooLargeError,
  toProblemResponse,
  type ProblemError,
} from '../lambdas/shared/problem';

/** The request target as a URL; a target node:http lets through but URL cannot read (`//[`) is a 400. */
export function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    throw new InvalidInputError([{ field: '(url)', message: 'is not a valid request target' }]);
  }
}

/** A percent-encoded path segment, decoded; `%ZZ` and other broken escapes are a 400 naming the parameter. */
export function decodePathSegment(segment: string, field: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidInputError([{ field, message: 'is not valid percent-encoding' }]);
  }
}

/**
 * The answer to a node:http `clientError`: a problem, or a bare status where the catalog has no problem type
 * and node's own answer stays (a request that took too long, 408; headers too large, 431). The raw packet is
 * never echoed: it can hold a phone number.
 */
function answerFor(error: NodeJS.ErrnoException): ProblemError | 408 | 431 {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new PayloadTooLargeError({ detail: 'The chunk extensions of the body are too large.' });
    default:
      return new InvalidInputError([{ field: '(request)', message: 'is not a valid HTTP/1.1 request' }], {
        detail: `The request line or headers could not be parsed (${error.code ?? 'unknown error'}).`,
      });
  }
}

/** Whether node:http has started writing a response on this connection (its own `_httpMessage` field). */
const responseUnderWay = (socket: Duplex): boolean =>
  (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent === true;

/**
 * A `clientError` listener for a node:http server. There is no request or response object then, so the
 * answer is written to the socket directly and the connection closed, as node's documentation describes:
 * https://nodejs.org/api/http.html#event-clienterror
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset or half-closed connection has nobody to answer, and bytes written into a response already under
  // way (pipelined requests) would corrupt it: node's default answer skips both cases too.
  if (error.code === 'ECONNRESET' || !socket.writable || responseUnderWay(socket)) {
    socket.destroy();
    return;
  }
  const answer = answerFor(error);
  const response =
    typeof answer === 'number' ? { statusCode: answer, headers: {}, body: '' } : toProblemResponse(answer);
  const body = Buffer.from(response.body);
  const head = [
    `HTTP/1.1 ${response.statusCode} ${STATUS_CODES[response.statusCode]}`,
    ...Object.entries({ ...response.headers, 'content-length': body.length, connection: 'close' }).map(
      ([name, value]) => `${name}: ${value}`,
    ),
  ];
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
}
