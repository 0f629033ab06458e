import type { Json, StackTemplate, TemplateSet } from './template-set';

/**
 * Enough of IAM policy evaluation to answer "does this policy let that caller do this, and only on behalf of
 * the right source?" for the statements CDK writes. Statements the evaluator cannot fully read (NotPrincipal,
 * NotResource, unknown condition keys or operators) never count as an admission, so the check errs towards
 * reporting a gap rather than hiding one.
 */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Json;
  readonly NotPrincipal?: Json;
  readonly Action?: Json;
  readonly NotAction?: Json;
  readonly Resource?: Json;
  readonly NotResource?: Json;
  readonly Condition?: Record<string, Record<string, Json>>;
}

/** A statement together with the stack it is rendered in and where it was found, for the report. */
export interface PlacedStatement {
  readonly stack: StackTemplate;
  readonly statement: Statement;
  readonly where: string;
}

/** Who calls: an AWS service principal, an IAM principal in one of its ARN forms, or the holder of an identity policy. */
export type Caller =
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'iam'; readonly forms: readonly string[] }
  | { readonly kind: 'identity' };

/** One call a delivery makes, and the condition keys (lower-case) the request carries with their values. */
export interface Request {
  readonly caller: Caller;
  readonly actions: readonly string[];
  /** Every form of the resource's ARN; undefined where the policy has no Resource element (trust policies). */
  readonly resources?: readonly string[];
  readonly context: Readonly<Record<string, readonly string[]>>;
}

export interface Verdict {
  /** Actions no applicable Allow statement admits, narrowed where narrowing is asked for. */
  readonly missing: string[];
  /** Why statements that name the caller and action did not count, one phrase each. */
  readonly notes: string[];
  /** Allow statements that let the caller in for one of the actions without a narrowing condition. */
  readonly unnarrowed: string[];
  /** Deny statements that apply to the request. */
  readonly denied: string[];
}

const asList = (value: Json): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's wildcards: `*` any run of characters, `?` one character. */
export const wildcardMatch = (pattern: string, value: string, ignoreCase = false): boolean => {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
};

type Truth = 'yes' | 'no' | 'unknown';

/** Operators the evaluator understands, by their name without `IfExists`. */
const OPERATORS: Record<string, (policyValue: string, requestValue: string) => boolean> = {
  stringequals: (p, r) => p === r,
  stringlike: (p, r) => wildcardMatch(p, r),
  arnequals: (p, r) => wildcardMatch(p, r),
  arnlike: (p, r) => wildcardMatch(p, r),
  bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
};
const NEGATED: Record<string, string> = { stringnotequals: 'stringequals', stringnotlike: 'stringlike' };
/** Operators that can narrow a grant to a source: they must match a value the request carries. */
const NARROWING_OPERATORS = new Set(['stringequals', 'stringlike', 'arnequals', 'arnlike']);

export class PolicyEvaluator {
  constructor(private readonly templates: TemplateSet) {}

  /**
   * Judges a request against a policy's statements. `narrowBy` lists the condition keys (lower-case) that
   * narrow an admission to the request's source; when given, only statements with one of them count.
   */
  judge(statements: readonly PlacedStatement[], request: Request, narrowBy?: readonly string[]): Verdict {
    const missing: string[] = [];
    const notes = new Set<string>();
    const unnarrowed = new Set<string>();
    const denied = new Set<string>();
    for (const action of request.actions) {
      let admitted = false;
      const failedConditions: string[] = [];
      for (const placed of statements) {
        if (!this.appliesTo(placed, request, action)) continue;
        const conditions = this.conditions(placed, request.context, narrowBy);
        if (placed.statement.Effect === 'Deny') {
          if (conditions.holds !== 'no') denied.add(placed.where);
          continue;
        }
        if (conditions.holds !== 'yes') failedConditions.push(`${placed.where} names it, ${conditions.why}`);
        else if (!narrowBy || conditions.narrowed) admitted = true;
        else if (request.caller.kind === 'service') unnarrowed.add(placed.where);
      }
      if (!admitted) {
        missing.push(action);
        failedConditions.forEach((note) => notes.add(note));
      }
    }
    return { missing, notes: [...notes], unnarrowed: [...unnarrowed], denied: [...denied] };
  }

  private appliesTo({ stack, statement }: PlacedStatement, request: Request, action: string): boolean {
    if (!this.principalMatches(stack, statement, request.caller)) return false;
    const actionMatches = (patterns: Json) =>
      asList(patterns).some((p) => wildcardMatch(this.templates.render(stack, p), action, true));
    if (
      statement.NotAction !== undefined
        ? actionMatches(statement.NotAction)
        : !actionMatches(statement.Action)
    ) {
      return false;
    }
    if (request.resources === undefined) return true;
    // NotResource is read as covering everything: it can only make a Deny apply, never let an Allow count.
    if (statement.NotResource !== undefined) return statement.Effect === 'Deny';
    return asList(statement.Resource).some((pattern) =>
      request.resources!.some((resource) => wildcardMatch(this.templates.render(stack, pattern), resource)),
    );
  }

  private principalMatches(stack: StackTemplate, statement: Statement, caller: Caller): boolean {
    if (caller.kind === 'identity') return statement.Principal === undefined;
    if (statement.NotPrincipal !== undefined) return statement.Effect === 'Deny';
    const principal = statement.Principal;
    if (principal === '*') return true;
    if (typeof principal !== 'object' || principal === null) return false;
    const block = principal as Record<string, Json>;
    if (asList(block.AWS).some((p) => this.templates.render(stack, p) === '*')) return true;
    if (caller.kind === 'service') {
      return asList(block.Service).some(
        (p) => this.templates.render(stack, p).toLowerCase() === caller.name.toLowerCase(),
      );
    }
    return asList(block.AWS).some((p) => caller.forms.includes(this.templates.render(stack, p)));
  }

  /** Whether a statement's conditions hold for the request, and whether one of them narrows it to the source. */
  private conditions(
    { stack, statement }: PlacedStatement,
    context: Request['context'],
    narrowBy: readonly string[] | undefined,
  ): { holds: Truth; narrowed: boolean; why: string } {
    let holds: Truth = 'yes';
    let narrowed = false;
    const why: string[] = [];
    for (const [rawOperator, entries] of Object.entries(statement.Condition ?? {})) {
      const ifExists = /IfExists$/i.test(rawOperator);
      const operator = rawOperator.replace(/IfExists$/i, '').toLowerCase();
      for (const [rawKey, rawValues] of Object.entries(entries)) {
        const key = rawKey.toLowerCase();
        const values = asList(rawValues).map((v) => this.templates.render(stack, v));
        const requestValues = context[key];
        const isNarrowingKey = narrowBy?.includes(key) === true;
        const positive = OPERATORS[operator];
        const negatedOf = NEGATED[operator];
        let truth: Truth;
        if (!positive && !negatedOf) {
          truth = 'unknown';
          why.push(`but its ${rawOperator} condition cannot be evaluated`);
        } else if (requestValues === undefined) {
          truth = ifExists || negatedOf ? 'yes' : 'no';
          if (truth === 'no') why.push(`but its ${rawKey} condition needs a key this request does not carry`);
        } else {
          const compare = positive ?? OPERATORS[negatedOf!]!;
          const any = values.some((p) => requestValues.some((r) => compare(p, r)));
          truth = (negatedOf ? !any : any) ? 'yes' : 'no';
          if (truth === 'no') why.push(`but its ${rawKey} condition (${values.join(', ')}) does not match`);
          else if (isNarrowingKey && !ifExists && NARROWING_OPERATORS.has(operator)) narrowed = true;
        }
        if (truth === 'no') holds = 'no';
        else if (truth === 'unknown' && holds === 'yes') holds = 'unknown';
      }
    }
    return { holds, narrowed, why: why.join('; ') };
  }
}
