/**
 * Runs the README's walk-through of the local API as a reader pastes it: every bash block that calls `$API`, in
 * order, in one bash session, with the real curl and node.
 *
 * The README's conventions, which this module checks:
 * - The first block defines `API=http://127.0.0.1:3000` on a line of its own; the runner points it at the server
 *   under test, changes nothing else, and writes the server's URL back as that one in what the commands print
 *   (a download URL names the server).
 * - What a command prints is shown right under it on lines starting with `# → `. `…` in a shown line stands for
 *   any text (ids, timestamps, elided fields); everything else must match exactly.
 * - An answer outside 2xx is announced by showing it: the problem+json document under the command, with its
 *   `"status":<code>`. Any other non-2xx answer, and any printed output the README does not show, is a failure.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The URL `npm start` serves by default, as the README writes it. */
export const README_API_URL = 'http://127.0.0.1:3000';
/** The line that points the walk-through at a server; the runner replaces its URL. */
export const API_LINE = `API=${README_API_URL}`;
const SHOWN_PREFIX = '# → ';

export interface WalkthroughStep {
  /** README line number of the step's first line, for messages. */
  readonly line: number;
  /** The commands, as written. */
  readonly code: string;
  /** The output shown under them, without the `# → ` prefixes; undefined when nothing is shown. */
  readonly shown?: string;
}

export interface StepResult {
  readonly step: WalkthroughStep;
  /** Whether bash got through the step. */
  readonly ran: boolean;
  readonly stdout: string;
  /** The HTTP status of each curl answer in the step, in order; `no-answer` when curl got none. */
  readonly statuses: readonly string[];
}

export interface WalkthroughRun {
  readonly results: readonly StepResult[];
  readonly exitCode: number;
  readonly stderr: string;
}

/**
 * The bash blocks of `markdown` that call the local API, cut into steps at each shown output. A block of another
 * language that calls it is an error: it would go untested.
 */
export function localApiSteps(markdown: string): WalkthroughStep[] {
  const lines = markdown.split('\n');
  const steps: WalkthroughStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i]!.trim().match(/^```(.*)$/);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    const block = lines.slice(start, end);
    i = end;
    if (!block.some((l) => l.includes('$API'))) continue;
    if (fence[1] !== 'bash') throw new Error(`line ${start}: a block that calls $API must be a bash block`);

    let code: string[] = [];
    let codeLine = start + 1;
    for (let j = 0; j < block.length; j++) {
      const line = block[j]!;
      if (!line.startsWith(SHOWN_PREFIX)) {
        if (code.length === 0) codeLine = start + j + 1;
        code.push(line);
        continue;
      }
      const shown: string[] = [];
      while (j < block.length && block[j]!.startsWith(SHOWN_PREFIX))
        shown.push(block[j++]!.slice(SHOWN_PREFIX.length));
      j--;
      steps.push({ line: codeLine, code: code.join('\n'), shown: shown.join('\n') });
      code = [];
    }
    if (code.some((l) => l.trim() !== '')) steps.push({ line: codeLine, code: code.join('\n') });
  }
  return steps;
}

const MARK = '@@readme-step-done';

/** Records the status of every answer, and otherwise runs the real curl with the README's arguments. */
const curlRecorder = `#!/usr/bin/env bash
headers=$(mktemp)
status=0
"$README_REAL_CURL" -D "$headers" "$@" || status=$?
code=$(sed -n 's/^HTTP\\/[0-9.]* \\([0-9][0-9]*\\).*/\\1/p' "$headers" | tail -n 1)
echo "\${code:-no-answer}" >> "$README_CURL_LOG"
rm -f "$headers"
exit "$status"
`;

const bash = (
  script: string,
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const { env, cwd, timeoutMs } = options;
    execFile(
      'bash',
      ['-c', script],
      { env, cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** Splits `text` at the step markers; entry i is what came before marker i + 1. */
function splitAtMarks(text: string, count: number): string[] {
  const parts: string[] = Array.from({ length: count }, () => '');
  let current = 0;
  for (const line of text.split('\n')) {
    const mark = line.match(new RegExp(`^${MARK} (\\d+)$`));
    if (mark) current = Number(mark[1]) + 1;
    else if (current < count) parts[current] += `${line}\n`;
  }
  return parts;
}

/**
 * Runs the steps with `set -euo pipefail` (a failing command stops the walk-through), with `$API` pointed at
 * `apiUrl`. curl is the real one, behind a recorder that adds `-D <temp file>` to read each answer's status.
 */
export async function runWalkthrough(
  steps: readonly WalkthroughStep[],
  apiUrl: string,
  timeoutMs = 30_000,
): Promise<WalkthroughRun> {
  const apiLines = steps.filter((s) => s.code.split('\n').includes(API_LINE));
  if (apiLines.length !== 1 || apiLines[0] !== steps[0])
    throw new Error(`the first step, and only it, must define ${API_LINE} on a line of its own`);

  const dir = await mkdtemp(join(tmpdir(), 'readme-walkthrough-'));
  try {
    const realCurl = (await bash('command -v curl', { env: process.env, timeoutMs: 5_000 })).stdout.trim();
    if (!realCurl) throw new Error('curl is not installed');
    await writeFile(join(dir, 'curl'), curlRecorder, { mode: 0o755 });
    const log = join(dir, 'statuses.log');
    await writeFile(log, '');

    const script = [
      'set -euo pipefail',
      ...steps.flatMap((step, i) => [
        i === 0 ? step.code.replace(API_LINE, `API=${apiUrl}`) : step.code,
        `printf '\\n${MARK} %d\\n' ${i} | tee -a "$README_CURL_LOG"`,
      ]),
    ].join('\n');
    const env = {
      ...process.env,
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      README_REAL_CURL: realCurl,
      README_CURL_LOG: log,
    };
    // In a directory of its own, so a stray redirection cannot write into the repository.
    const { code, stdout, stderr } = await bash(script, { env, cwd: dir, timeoutMs });
    const outputs = splitAtMarks(stdout.split(apiUrl).join(README_API_URL), steps.length);
    const statuses = splitAtMarks(await readFile(log, 'utf8'), steps.length);
    const completed = stdout.split('\n').filter((l) => l.startsWith(MARK)).length;

    return {
      exitCode: code,
      stderr,
      results: steps.map((step, i) => ({
        step,
        ran: i < completed,
        stdout: outputs[i]!.trim(),
        statuses: statuses[i]!.split('\n').filter((l) => l !== ''),
      })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `output` is what `shown` shows: `…` stands for any text, the rest is literal. */
export function matchesShown(output: string, shown: string): boolean {
  const pattern = shown.split('…').map(escapeRegExp).join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(output);
}

/** A `<name>` in a command (not in a comment) is a shell redirection when pasted, never a placeholder. */
const PLACEHOLDER = /<[A-Za-z][\w-]*>/;

/** Placeholders in the steps' commands, found before anything runs. */
export function placeholderProblems(steps: readonly WalkthroughStep[]): string[] {
  return steps.flatMap((step) => {
    const commands = step.code
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const placeholder = commands.match(PLACEHOLDER);
    return placeholder
      ? [`README line ${step.line}: ${placeholder[0]} is a shell redirection when pasted, not a placeholder`]
      : [];
  });
}

/** What the run shows the README gets wrong, one message per mistake, each naming its README line. */
export function walkthroughProblems(run: WalkthroughRun): string[] {
  const problems: string[] = [];
  for (const { step, ran, stdout, statuses } of run.results) {
    const at = `README line ${step.line}`;
    if (!ran) {
      problems.push(`${at}: bash stopped here (exit ${run.exitCode}): ${run.stderr.trim().slice(-2000)}`);
      break;
    }
    for (const status of statuses) {
      const ok = /^2\d\d$/.test(status);
      const announced = step.shown?.includes(`"status":${status}`) ?? false;
      if (!ok && !announced)
        problems.push(`${at}: got HTTP ${status}, which the README does not announce:\n${stdout}`);
    }
    if (step.shown === undefined && stdout !== '')
      problems.push(`${at}: prints output the README does not show:\n${stdout}`);
    if (step.shown !== undefined && !matchesShown(stdout, step.shown))
      problems.push(`${at}: the README shows\n${step.shown}\nbut the command printed\n${stdout}`);
  }
  return problems;
}
