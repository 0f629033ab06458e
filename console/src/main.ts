/**
 * The privacy console (DESIGN §11): sign in, then four pages. Routes are paths below `<base>/console/`, which
 * the server answers with this same page; the number being looked at never goes into a route.
 */
import { parseConsoleConfig, type ConsoleConfig } from '../../lambdas/shared/console-config';
import { consoleClient, problemText, type OptlineClient } from './api';
import { finishCognitoSignIn, startCognitoSignIn } from './auth/cognito';
import { currentToken, forgetToken, keepToken } from './auth/session';
import { announce, h } from './dom';
import { consoleLocation } from './location';
import { activityPage } from './views/activity';
import type { PageContext } from './views/context';
import { dsrQueuePage } from './views/dsr-queue';
import { retentionPage } from './views/retention';
import { subscriberPage } from './views/subscriber';

interface Page {
  readonly route: string;
  readonly title: string;
  readonly render: (ctx: PageContext) => HTMLElement;
}

const PAGES: readonly Page[] = [
  { route: '', title: 'Subscriber', render: subscriberPage },
  { route: 'requests', title: 'Data-subject requests', render: dsrQueuePage },
  { route: 'retention', title: 'Retention schedule', render: retentionPage },
  { route: 'activity', title: 'Activity', render: activityPage },
];

const root = document.getElementById('app')!;
const here = consoleLocation(window.location.href);
const api = consoleClient(here.apiBaseUrl);

async function loadConfig(): Promise<ConsoleConfig | undefined> {
  const response = await fetch(`${here.consolePath}config.json`, { cache: 'no-store' });
  return response.ok ? parseConsoleConfig(await response.json()) : undefined;
}

/** Who the token belongs to, and so whether write actions are shown; the API enforces the same rule. */
async function identity(client: OptlineClient): Promise<{ tenantId: string; canManage: boolean } | string> {
  const { data, error, response } = await client.GET('/v1/me');
  if (!data) return response.status === 401 ? 'That token was not accepted.' : problemText(error, response);
  return { tenantId: data.tenantId, canManage: data.scopes.includes('dsr.manage') };
}

function signInPage(config: ConsoleConfig, message?: string): HTMLElement {
  const status = h('div', { role: 'alert', class: 'notice' });
  if (message) announce(status, message, 'error');
  if (config.mode === 'cognito') {
    return h(
      'main',
      { id: 'main', class: 'sign-in' },
      h('h1', {}, 'optline privacy console'),
      status,
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          on: {
            click: () => void startCognitoSignIn(config, `${window.location.origin}${here.consolePath}`),
          },
        },
        'Sign in',
      ),
    );
  }
  const token = h('input', {
    id: 'token',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const form = h(
    'form',
    {
      on: {
        submit: (event) => {
          event.preventDefault();
          keepToken(token.value.trim());
          void start();
        },
      },
    },
    h('label', { for: 'token' }, 'Access token'),
    token,
    h('p', { class: 'hint' }, 'Locally: local-demo-officer, local-demo-viewer or local-acme-officer.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  return h('main', { id: 'main', class: 'sign-in' }, h('h1', {}, 'optline privacy console'), status, form);
}

function shell(ctx: PageContext, tenantId: string, config: ConsoleConfig): void {
  const main = h('main', { id: 'main', tabindex: -1 });
  const links = PAGES.map((page) =>
    h(
      'a',
      {
        href: `${here.consolePath}${page.route}`,
        on: {
          click: (event) => {
            event.preventDefault();
            window.history.pushState(null, '', `${here.consolePath}${page.route}`);
            show();
          },
        },
      },
      page.title,
    ),
  );
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      on: {
        click: () => {
          forgetToken();
          if (config.mode === 'cognito' && config.logoutUrl) window.location.assign(config.logoutUrl);
          else void start();
        },
      },
    },
    'Sign out',
  );

  function show(): void {
    const { route } = consoleLocation(window.location.href);
    const page = PAGES.find((candidate) => candidate.route === route) ?? PAGES[0]!;
    links.forEach((link, i) =>
      PAGES[i] === page ? link.setAttribute('aria-current', 'page') : link.removeAttribute('aria-current'),
    );
    document.title = `${page.title} · optline privacy console`;
    main.replaceChildren(page.render(ctx));
    main.focus();
  }

  window.onpopstate = show;
  root.replaceChildren(
    h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
    h(
      'header',
      {},
      h('p', { class: 'brand' }, 'optline privacy console'),
      h('nav', { 'aria-label': 'Console' }, h('ul', {}, ...links.map((link) => h('li', {}, link)))),
      h('p', { class: 'who' }, `Tenant ${tenantId}${ctx.canManage ? ' · privacy officer' : ' · read only'}`),
      signOut,
    ),
    main,
  );
  show();
}

async function start(message?: string): Promise<void> {
  const config = await loadConfig();
  if (!config) {
    root.replaceChildren(h('main', { id: 'main' }, h('h1', {}, 'The console is not configured.')));
    return;
  }
  if (config.mode === 'cognito') {
    const failed = await finishCognitoSignIn(config, `${window.location.origin}${here.consolePath}`);
    if (failed) return enter(config, failed);
  }
  return enter(config, message);
}

/** Signs in, or shows the console to whoever the kept token belongs to. */
async function enter(config: ConsoleConfig, message?: string): Promise<void> {
  if (!currentToken()) {
    root.replaceChildren(signInPage(config, message));
    return;
  }
  const who = await identity(api);
  if (typeof who === 'string') {
    forgetToken();
    root.replaceChildren(signInPage(config, who));
    return;
  }
  shell({ api, canManage: who.canManage }, who.tenantId, config);
}

void start();
