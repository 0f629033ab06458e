/**
 * The README's walk-through of the local API runs as written: its bash blocks, pasted in order into bash, against
 * a fresh local server, get only the answers the README shows (conventions in helpers/readme-walkthrough.ts).
 *
 * The server is `startLocalServer`, the one `npm start` runs, started in this process by the harness: on a free
 * port, with its own tables in the harness's DynamoDB Local instead of an embedded one. The only change to the
 * README's commands is the URL in `API=http://127.0.0.1:3000`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NPM_START_DSR_PICKUP_DELAY_MS } from '../../local/server';
import { startTestServer, type TestServer } from './harness/local-server';
import {
  API_LINE,
  localApiSteps,
  placeholderProblems,
  runWalkthrough,
  walkthroughProblems,
} from './helpers/readme-walkthrough';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
let server: TestServer;

beforeAll(async () => {
  // As npm start runs it: a data-subject request waits a moment on the queue, so the README must poll.
  server = await startTestServer({ dsrPickupDelayMs: NPM_START_DSR_PICKUP_DELAY_MS });
});
afterAll(async () => {
  await server.close();
});

describe('README walk-through of the local API', () => {
  it('runs every command as pasted, in order, and gets what the README shows under it', async () => {
    // GIVEN the README's local-API blocks, with no placeholder that a shell would take for a redirection
    const steps = localApiSteps(readme);
    expect(placeholderProblems(steps)).toEqual([]);
    // (they include the legal-hold example: a hold, a purge, the release, and a purge again)
    const commands = steps.map((s) => s.code).join('\n');
    expect(commands).toMatch(/-X PUT \S*legal-hold[\s\S]*purge-inactive[\s\S]*-X DELETE \S*legal-hold/);
    expect(commands.match(/_local\/jobs\/purge-inactive/g)?.length).toBeGreaterThanOrEqual(2);

    // WHEN they run against a fresh server
    const run = await runWalkthrough(steps, server.url);

    // THEN every step ran, every answer is 2xx or shown as the error it is, and every output is the one shown
    expect(walkthroughProblems(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.results.every((r) => r.ran)).toBe(true);
  }, 60_000);

  it('reports output unlike the shown, an answer outside 2xx that is not shown, and output that is not shown', async () => {
    // GIVEN a walk-through that announces one 404, shows a wrong document, then meets a 404 it does not announce
    const markdown = [
      '```bash',
      API_LINE,
      "AUTH='Authorization: Bearer local-demo'",
      'curl -s $API/v1/subscribers/%2B447400999999 -H "$AUTH"',
      '# → {"type":"urn:optline:problem:not-found",…,"status":404,…}',
      'curl -s $API/openapi.json',
      '# → {"openapi":"2.0",…}',
      'curl -s $API/v1/subscribers/%2B447400999998 -H "$AUTH"',
      '```',
    ].join('\n');
    const steps = localApiSteps(markdown);

    // WHEN it runs
    const run = await runWalkthrough(steps, server.url);
    const problems = walkthroughProblems(run);

    // THEN the announced 404 passes, and each of the other two steps fails at its line
    expect(steps.map((s) => s.line)).toEqual([2, 6, 8]);
    expect(run.results.map((r) => r.statuses)).toEqual([['404'], ['200'], ['404']]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(
      /^README line 6: the README shows\n\{"openapi":"2\.0",…\}\nbut the command printed\n\{"openapi":"3/,
    );
    expect(problems[1]).toMatch(/^README line 8: got HTTP 404, which the README does not announce/);
    expect(problems[2]).toMatch(/^README line 8: prints output the README does not show/);
  });

  it('stops at a command that fails, and names placeholders that a shell takes for redirections', async () => {
    // GIVEN a walk-through with a placeholder, which bash reads as `< messageId` and `> -H`
    const markdown = [
      '```bash',
      API_LINE,
      "AUTH='Authorization: Bearer local-demo'",
      'curl -s $API/v1/messages/<messageId> -H "$AUTH"',
      'curl -s $API/openapi.json',
      '# → …',
      '```',
    ].join('\n');
    const steps = localApiSteps(markdown);

    // WHEN it is checked, and run
    const placeholders = placeholderProblems(steps);
    const run = await runWalkthrough(steps, server.url);

    // THEN the placeholder is named, and bash stopped at it without running the next command
    expect(placeholders).toEqual([
      'README line 2: <messageId> is a shell redirection when pasted, not a placeholder',
    ]);
    expect(run.exitCode).not.toBe(0);
    expect(run.results.map((r) => r.ran)).toEqual([false]);
    expect(run.results[0]!.stdout).toBe('');
    expect(walkthroughProblems(run)[0]).toMatch(/^README line 2: bash stopped here .*messageId/s);
  });
});
