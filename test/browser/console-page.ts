/**
 * One signed-in console tab in headless Chromium, which records every request the page makes and every
 * Content-Security-Policy violation it reports, and runs axe-core on demand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

export class ConsolePage {
  /** Every URL the page asked for, in order. */
  readonly requests: string[] = [];
  /** Console messages that report a blocked script, style or connection. */
  readonly cspViolations: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('request', (request) => this.requests.push(request.url()));
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) this.cspViolations.push(message.text());
    });
  }

  /** A fresh context: its own sessionStorage, so one test's token never signs another in. */
  static async open(browser: Browser, baseUrl: string): Promise<ConsolePage> {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    return new ConsolePage(context, await context.newPage(), baseUrl);
  }

  async signIn(token: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/console/`);
    await this.page.getByRole('textbox', { name: 'Access token' }).fill(token);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.getByRole('heading', { level: 1, name: 'Subscriber' }).waitFor();
  }

  async goTo(link: string, heading: string): Promise<void> {
    await this.page.getByRole('navigation').getByRole('link', { name: link }).click();
    await this.page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  async lookUp(phone: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Phone number' }).fill(phone);
    await this.page.getByRole('button', { name: 'Look up' }).click();
    await this.page.getByRole('heading', { name: 'Consent history' }).waitFor();
  }

  /** Runs axe-core in the page (through the DevTools protocol: the page's CSP rightly refuses inline script). */
  async seriousViolations(): Promise<AxeViolation[]> {
    await this.page.evaluate(AXE_SOURCE);
    const violations = await this.page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run()).violations;
    });
    return (violations as AxeViolation[]).filter(
      (violation) => violation.impact === 'serious' || violation.impact === 'critical',
    );
  }

  async screenshot(dir: string | undefined, name: string): Promise<void> {
    if (dir) await this.page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  }

  /** Requests that went anywhere but the console's own origin. */
  foreignRequests(): string[] {
    const origin = new URL(this.baseUrl).origin;
    return this.requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
