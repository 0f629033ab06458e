/**
 * Size ceilings of the handler bundles, checked by `npm run bench -- --quick` in CI. They are regression guards,
 * not targets: what a user pays for is cold start, which `npm run bench` reports as module-init on Node.js 22
 * beside an empty bundle and a DynamoDB-client-only bundle (docs/bundles.md). The flat 600 KB target that used
 * to stand here is withdrawn; 600 KB remains only the ceiling of a handler that has none of its own.
 */

/** The ceiling of every handler not listed in `HANDLER_CEILINGS_KB`, and of any new one. */
export const DEFAULT_CEILING_KB = 600;

/**
 * Handlers above the default, each with the ceiling it may not pass: its size when the ceiling was set, rounded
 * up to the next 10 KB, plus 10 KB for dependency patch releases. Lower a ceiling when its bundle shrinks;
 * raise one only with a reason.
 */
export const HANDLER_CEILINGS_KB: Readonly<Record<string, number>> = {
  // Raised on 2026-12-02 (issues 17 and 18), by 6-14 KB each: the route table every API handler carries now
  // holds the TimeZone enum (554 zone names, lambdas/shared/time-zones.ts), the OpenAPI examples and the
  // campaign schemas; the send path gained the frequency cap and campaign logging.
  // Raised again the same day (issues 19 and 20), by 10-30 KB each: the read routes, their cursors and the roles
  // in the route table and caller resolution (the console client's groups, the operator), the incident routes'
  // schemas with their OpenAPI descriptions and examples, the daily counters written in the same transaction as
  // each event, the send-slot store, and the retention periods a cell may override, parsed at cold start.
  messages: 940,
  dsr: 920,
  'dsr-worker': 710,
  subscribers: 930,
  'inbound-sms': 910,
  optouts: 760,
  'optout-reconcile': 750,
  // The 1:1 send path (every SMS client, libphonenumber's metadata, quiet hours) plus the audience reader.
  'campaign-worker': 940,
};

/** How far under its ceiling a bundle may fall before the ceiling is stale and must be lowered. */
const STALE_MARGIN_KB = 30;

/** The ceiling `handler`'s bundle is held to. */
export function ceilingKb(handler: string): number {
  return HANDLER_CEILINGS_KB[handler] ?? DEFAULT_CEILING_KB;
}

/** Why a bundle of `sizeKb` breaks its budget, or `undefined` when it keeps it. */
export function bundleBudgetProblem(handler: string, sizeKb: number): string | undefined {
  const ceiling = HANDLER_CEILINGS_KB[handler];
  if (ceiling === undefined) {
    return sizeKb > DEFAULT_CEILING_KB
      ? `bundle ${handler} is ${sizeKb} KB, above the default ceiling of ${DEFAULT_CEILING_KB} KB: give it a ` +
          'ceiling of its own in bench/bundle-budget.ts, with its reason, or shrink it'
      : undefined;
  }
  if (sizeKb > ceiling) return `bundle ${handler} is ${sizeKb} KB, above its ceiling of ${ceiling} KB`;
  if (sizeKb <= DEFAULT_CEILING_KB) {
    return `bundle ${handler} is ${sizeKb} KB, within the default ceiling: remove its own from bench/bundle-budget.ts`;
  }
  if (sizeKb < ceiling - STALE_MARGIN_KB) {
    return `bundle ${handler} is ${sizeKb} KB, well under its ceiling of ${ceiling} KB: lower the ceiling`;
  }
  return undefined;
}
