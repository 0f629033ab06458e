/**
 * Lambda entry point of the privacy console: the built files bundled beside it (lib/constructs/privacy-console.ts
 * copies them there at synth) and the sign-in config from the environment, both read once at cold start.
 */
import { join } from 'node:path';
import { loadConsoleFiles } from '../adapters/console-files';
import { CONSOLE_BUNDLE_DIR, consoleProxyHandler } from '../api/console-function';
import { parseConsoleConfig } from '../shared/console-config';
import { CONSOLE_CONFIG_ENV, requireEnv } from '../shared/env';

const config = parseConsoleConfig(JSON.parse(requireEnv(CONSOLE_CONFIG_ENV)));
if (config?.mode !== 'cognito') throw new Error(`${CONSOLE_CONFIG_ENV} is not a Cognito console config`);

export const handler = consoleProxyHandler(loadConsoleFiles(join(__dirname, CONSOLE_BUNDLE_DIR)), config);
