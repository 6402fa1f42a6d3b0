import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPreflight } from '../src/preflight';
import type { CheckResult, PreflightReport } from '../src/preflight';
import { runPreflightCommand } from '../src/cli/preflight-command';
import { startPreflightFixture, PreflightFixture } from './support/preflight/preflight-fixture';

const byId = (report: PreflightReport, id: string): CheckResult => {
  const row = report.results.find((r) => r.id === id);
  if (!row) throw new Error(`no row ${id} in ${report.results.map((r) => r.id).join(', ')}`);
  return row;
};
const verdicts = (report: PreflightReport): Record<string, string> => Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
const notPassing = (report: PreflightReport): CheckResult[] => report.results.filter((r) => r.verdict !== 'PASS');

describe('npm run preflight against the simulators (e2e)', () => {
  let f: PreflightFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('passes every check, read-only, against the documented shapes, and writes nothing', async () => {
    f = await startPreflightFixture();
    const before = { contacts: f.crm.contacts().length, purchases: f.crm.purchases().length, journals: f.crm.journals().length };
    const seeded = { crm: f.crm.requests.length, pepper: f.pepper.requests.length };
    const report = await runPreflight(f.deps);
    expect(notPassing(report)).toEqual([]);
    expect(report.failed).toBe(false);
    expect(report.results.map((r) => r.id)).toEqual(expect.arrayContaining([
      'pepper.credentials', 'pepper.paging', 'pepper.wallet-perk', 'pepper.order-metadata', 'crmcom.jwt', 'crmcom.credentials', 'crmcom.paging',
      'crmcom.phone-shape', 'crmcom.contact-list-order', 'crmcom.filter.code', 'crmcom.filter.email', 'crmcom.filter.phone', 'crmcom.filter.purchase-reference',
      'crmcom.filter.journal-reference', 'crmcom.filter.journal-posted-on', 'crmcom.filter.journal-entity', 'crmcom.journal-shape',
    ]));
    expect(byId(report, 'pepper.wallet-perk').seen).toContain('wallet perk perk-wallet "Wallet"');
    expect(byId(report, 'pepper.order-metadata').seen).toContain('2 readable, 0 unreadable');
    expect(byId(report, 'crmcom.filter.phone').seen).toContain('national form → finds the contact');
    expect(byId(report, 'crmcom.listed-wallet-balance').seen).toMatch(/^\d+ listed wallet balances? equal to GET \/wallets\/:id$/);
    expect({ contacts: f.crm.contacts().length, purchases: f.crm.purchases().length, journals: f.crm.journals().length }).toEqual(before);
    expect(f.crm.requests.slice(seeded.crm).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(f.pepper.requests.slice(seeded.pepper).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('--write-test-contact: creates one named test contact, a purchase and a credit read back by reference, and reverses the credit', async () => {
    f = await startPreflightFixture();
    const report = await runPreflight(f.deps, { writeTestContact: true });
    expect(notPassing(report)).toEqual([]);
    expect(report.results.filter((r) => r.id.startsWith('write.')).map((r) => r.id)).toEqual(['write.contact', 'write.wallet', 'write.purchase', 'write.journal']);
    const tests = f.crm.contacts().filter((c) => c.code?.startsWith('preflight-'));
    expect(tests).toHaveLength(1);
    const contact = tests[0];
    expect(contact.code).toMatch(/^preflight-\d{8}-\d{6}-\d{3}$/);
    expect(contact.phone).toBeNull(); // the test phone is taken off again
    const journals = f.crm.journals().filter((j) => j.contactId === contact.id && j.referenceNumber?.startsWith(`preflight:`));
    expect(journals.map((j) => [j.type, j.amountMinor])).toEqual(expect.arrayContaining([['CREDIT', 100], ['DEBIT', 100]]));
    expect(f.crm.purchases().filter((p) => p.contactId === contact.id).map((p) => p.referenceNumber)).toEqual([`preflight:preflight-merchant:order:${contact.code}`]);
  });

  it('phones held as E.164 strings: the phone-shape check says so and how the connector copes; the phone filter still finds contacts', async () => {
    f = await startPreflightFixture({ crm: { variants: { phoneAsE164: true } } });
    const report = await runPreflight(f.deps);
    expect(report.failed).toBe(false);
    expect(notPassing(report).map((r) => r.id)).toEqual(['crmcom.phone-shape']);
    const shape = byId(report, 'crmcom.phone-shape');
    expect(shape).toMatchObject({ verdict: 'WARN', seen: expect.stringContaining('E.164 string in "number" (no country_code)') });
    expect(shape.fix).toContain('not the documented shape');
    expect(byId(report, 'crmcom.filter.phone').seen).toMatch(/national form → does not find the contact; E.164 form → finds the contact/);
  });

  it('journal items without a contact: the journal-shape check says the feed maps them through the wallet', async () => {
    f = await startPreflightFixture({ crm: { variants: { journalsWithoutContact: true } } });
    const report = await runPreflight(f.deps);
    expect(report.failed).toBe(false);
    expect(notPassing(report).map((r) => r.id)).toEqual(['crmcom.journal-shape']);
    expect(byId(report, 'crmcom.journal-shape')).toMatchObject({ verdict: 'WARN', seen: expect.stringMatching(/0 with contact\.id, \d+ with only their wallet/) });
    expect(byId(report, 'crmcom.journal-shape').fix).toContain('wallet id');
  });

  describe.each<[string, string[]]>([
    ['code', ['crmcom.filter.code']],
    ['email_address', ['crmcom.filter.email']],
    ['phone_number', ['crmcom.filter.phone']],
    ['reference_number', ['crmcom.filter.purchase-reference', 'crmcom.filter.journal-reference']],
    ['posted_on', ['crmcom.filter.journal-posted-on']],
    ['entity', ['crmcom.filter.journal-entity']],
  ])('a CRM.COM that ignores "%s"', (filter, failing) => {
    it('fails exactly that filter check, naming the filter and where to change it', async () => {
      f = await startPreflightFixture();
      f.crm.ignoredFilters.add(filter);
      const report = await runPreflight(f.deps);
      expect(report.failed).toBe(true);
      expect(report.results.filter((r) => r.verdict === 'FAIL').map((r) => r.id)).toEqual(failing);
      for (const id of failing) {
        const row = byId(report, id);
        expect(row.fix).toContain(`ignores "${filter === 'posted_on' ? 'posted_on[gte]' : filter}"`);
        expect(row.fix).toMatch(/src\/crmcom\/crmcom\.(wire|client)\.ts/);
      }
    });
  });

  it('contacts listed without created_date: a WARN that the seed matches with direct searches instead of its index', async () => {
    f = await startPreflightFixture({ crm: { variants: { contactsWithoutCreatedDate: true } } });
    const report = await runPreflight(f.deps);
    expect(notPassing(report).map((r) => r.id)).toEqual(['crmcom.contact-list-order']);
    expect(byId(report, 'crmcom.contact-list-order')).toMatchObject({
      verdict: 'WARN',
      seen: expect.stringContaining('without an integer created_date'),
      fix: expect.stringContaining('direct searches'),
    });
    expect(report.failed).toBe(false);
  });

  it("wallets listed without a balance (the documented {id, code}): a PASS that says matched users' wallets are read", async () => {
    f = await startPreflightFixture({ crm: { variants: { walletsWithoutBalance: true } } });
    const report = await runPreflight(f.deps);
    expect(notPassing(report)).toEqual([]);
    expect(byId(report, 'crmcom.listed-wallet-balance').seen).toContain("reads each matched contact's wallet (GET /wallets/:id)");
  });

  it('unreadable order metadata: counts readable and unreadable orders and shows the reasons', async () => {
    f = await startPreflightFixture();
    const user = f.pepper.users()[0].id;
    f.pepper.completeOrder(user, { orderId: 'minor-1', total: '1250', items: [] }); // 12.50 written in minor units
    f.pepper.emitAction({ type: 'ORDER_COMPLETED', userId: user, metadata: { id: 'x-1', amount: { value: 1250 } } });
    const report = await runPreflight(f.deps);
    const row = byId(report, 'pepper.order-metadata');
    expect(row.verdict).toBe('FAIL');
    expect(row.seen).toContain('2 readable, 2 unreadable');
    expect(row.seen).toContain('ORDER_MAX_TOTAL');
    expect(row.seen).toContain('metadata.orderId is missing');
    expect(row.fix).toContain('order-mapper.ts');
  });

  it('no order yet, and no wallet perk: a WARN that asks for a test order, and a FAIL that says loyalty stays off', async () => {
    f = await startPreflightFixture({ seed: false });
    f.crm.addContact({ code: 'c-1', email: 'a@example.com', phone: '+447911123456' });
    const report = await runPreflight(f.deps);
    expect(byId(report, 'pepper.order-metadata')).toMatchObject({ verdict: 'WARN', fix: expect.stringContaining('place a test order') });
    expect(byId(report, 'pepper.wallet-perk')).toMatchObject({ verdict: 'FAIL', seen: expect.stringContaining('no enabled PSEUDO_CURRENCY perk') });
    expect(byId(report, 'crmcom.filter.purchase-reference')).toMatchObject({ verdict: 'WARN', fix: expect.stringContaining('--write-test-contact') });
  });

  it('a rejected Pepper token fails the credentials check and skips the Pepper checks, CRM.COM is still checked', async () => {
    f = await startPreflightFixture({ env: { PEPPER_AUTH_TOKEN: 'not-the-token' } });
    const report = await runPreflight(f.deps);
    expect(byId(report, 'pepper.credentials')).toMatchObject({ verdict: 'FAIL', seen: expect.stringContaining('401'), fix: expect.stringContaining('PEPPER_AUTH_TOKEN') });
    expect(byId(report, 'pepper.credentials').seen).not.toContain('not-the-token');
    expect(verdicts(report)).toMatchObject({ 'pepper.paging': 'SKIP', 'pepper.wallet-perk': 'SKIP', 'pepper.order-metadata': 'SKIP', 'crmcom.filter.code': 'PASS' });
  });

  it('a back-office user: the JWT login passes with the right password, and a wrong one fails it and skips CRM.COM', async () => {
    const users = [{ username: 'ops@merchant', password: 'right-password' }];
    f = await startPreflightFixture({ crm: { users }, env: { CRMCOM_USERNAME: 'ops@merchant', CRMCOM_PASSWORD: 'right-password' } });
    const good = await runPreflight(f.deps);
    expect(byId(good, 'crmcom.jwt')).toMatchObject({ verdict: 'PASS', seen: 'signed in as ops@merchant' });
    expect(good.failed).toBe(false);
    await f.close();

    f = await startPreflightFixture({ crm: { users }, env: { CRMCOM_USERNAME: 'ops@merchant', CRMCOM_PASSWORD: 'wrong-password' }, seed: false });
    const bad = await runPreflight(f.deps);
    expect(byId(bad, 'crmcom.jwt')).toMatchObject({ verdict: 'FAIL', fix: expect.stringContaining('CRMCOM_PASSWORD') });
    expect(byId(bad, 'crmcom.jwt').seen).not.toContain('wrong-password');
    expect(verdicts(bad)).toMatchObject({ 'crmcom.credentials': 'SKIP', 'crmcom.filter.code': 'SKIP', 'pepper.credentials': 'PASS' });
  });

  it('the command prints the table and answers 0, or 1 on a FAIL, and 1 with the names of bad variables', async () => {
    f = await startPreflightFixture();
    const fixture = f;
    const lines: string[] = [];
    const env = { loadConfig: () => fixture.config, deps: () => fixture.deps };
    expect(await runPreflightCommand([], env, (l) => lines.push(l))).toBe(0);
    const table = lines.join('\n');
    expect(table).toMatch(/\| Check +\| Expected +\| Seen +\| Verdict \| What to change +\|/);
    expect(table).toContain('Preflight passed');

    f.crm.ignoredFilters.add('code');
    lines.length = 0;
    expect(await runPreflightCommand(['--json'], env, (l) => lines.push(l))).toBe(1);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ failed: true });

    lines.length = 0;
    expect(await runPreflightCommand(['--bogus'], env, (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('usage: npm run preflight');

    lines.length = 0;
    const bad = { loadConfig: () => jest.requireActual<typeof import('../src/config/load-config')>('../src/config/load-config').loadConfig({}) };
    expect(await runPreflightCommand([], bad, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('PEPPER_AUTH_TOKEN');
  });
});

describe('the preflight CLI as a child process (e2e)', () => {
  const root = resolve(__dirname, '..');
  const run = (env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      // An empty working directory: no .env is read, the environment is the whole configuration.
      const cwd = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
      execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', join(root, 'src/cli/preflight.ts'), ...args],
        { cwd, env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(root, 'tsconfig.json'), NODE_PATH: join(root, 'node_modules'), ...env }, timeout: 60_000 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('exits 0 with the table against faithful simulators, and 1 with the FAIL row when a filter is ignored', async () => {
    const f = await startPreflightFixture();
    try {
      const ok = await run(f.env);
      expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
      expect(ok.stdout).toContain('| Filter: contacts by code');
      expect(ok.stdout).toContain('Preflight passed (18 PASS, 0 WARN, 0 FAIL, 0 SKIP)');

      f.crm.ignoredFilters.add('email_address');
      const failed = await run(f.env);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/\| Filter: contacts by +\|.*\| FAIL +\|/);
      expect(failed.stdout).toContain('Preflight FAILED (17 PASS, 0 WARN, 1 FAIL, 0 SKIP)');
    } finally {
      await f.close();
    }
  });
});
