import { defineConfig } from '@playwright/test';

// scripts/e2e picks a free port and a throwaway database and exports them here.
const port = Number(process.env.MESHENV_E2E_PORT || 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The OpenID provider scripts/e2e describes (single sign-on tests).
const oidcPort = Number(process.env.MESHENV_E2E_OIDC_PORT || 3200);
const issuer = `http://127.0.0.1:${oidcPort}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright cannot download browsers on these machines.
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: [{
    command: `${process.env.MESHENV_E2E_BIN || '../target/debug/meshenv'} serve`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      MESHENV_LISTEN: `127.0.0.1:${port}`,
      MESHENV_DATABASE_URL: process.env.MESHENV_E2E_DB || 'sqlite://../target/e2e/meshenv.db',
      MESHENV_SITE_ROOT: process.env.MESHENV_E2E_SITE || '../target/site',
      MESHENV_SECRET_KEY_FILE: process.env.MESHENV_E2E_KEY || '../target/e2e/meshenv.key',
      MESHENV_ADMIN_PASSWORD: 'e2e-admin-password',
      MESHENV_LOG: 'warn',
      MESHENV_PUBLIC_URL: baseURL,
      MESHENV_OIDC_PROVIDERS: 'corp',
      MESHENV_OIDC_CORP_LABEL: 'Corp ID',
      MESHENV_OIDC_CORP_ISSUER: issuer,
      MESHENV_OIDC_CORP_CLIENT_ID: 'meshenv',
      MESHENV_OIDC_CORP_CLIENT_SECRET: 'e2e-oidc-secret',
      MESHENV_OIDC_CORP_SCOPES: 'email profile groups',
      MESHENV_OIDC_CORP_ORGANIZATION: 'default',
      MESHENV_OIDC_CORP_ALLOWED_DOMAINS: 'example.com',
      MESHENV_OIDC_CORP_TEAM_MAP: 'oncall=SSO on-call',
    },
  }, {
    command: `node ../tools/oidc-provider.mjs ${process.env.MESHENV_E2E_OIDC_FILE || '../target/e2e/oidc.json'} ${oidcPort}`,
    url: `${issuer}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'ignore',
  }],
});
