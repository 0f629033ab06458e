/**
 * A plain `npm start` for the browser tests when no `--url` is given: in memory, on a free port, in its own
 * process group so that stopping it also stops DynamoDB Local.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface StartedServer {
  readonly url: string;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

export async function startNpmStart(timeoutMs = 180_000): Promise<StartedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('npm', ['start', '--', '--in-memory'], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const up = await fetch(`${url}/openapi.json`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) {
      return {
        url,
        async stop() {
          process.kill(-child.pid!, 'SIGTERM');
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
          if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  throw new Error(`npm start did not answer on ${url}:\n${output}`);
}
