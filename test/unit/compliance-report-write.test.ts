import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { parseReportArgs } from '../../scripts/report/args';
import { IncompleteReportError, writeReport, type HtmlFormatter } from '../../scripts/report/write';

const repoRoot = join(__dirname, '..', '..');
/** Formatting is prettier's business; these tests are about which files get written. */
const asIs: HtmlFormatter = async (html) => html;

const CHECKOV = { passed: 12, failed: 0, skipped: 3, parsing_errors: 0, resource_count: 5 };

describe('npm run report: where it writes, and never an incomplete committed report', () => {
  let root: string;
  let cdkOut: string;
  let docs: string;
  const committedReport = '# the committed report, complete\n';

  beforeEach(() => {
    // GIVEN a repository with a synthesized assembly (cdk-nag's report included) and a committed report
    root = mkdtempSync(join(tmpdir(), 'optline-report-write-'));
    cdkOut = join(root, 'cdk.out');
    docs = join(root, 'docs');
    const app = new App({ outdir: cdkOut, builtinCloudFormationValidation: false });
    new Bucket(new Stack(app, 'Optline-xx-Data', { env: { region: 'eu-central-1' } }), 'ExportBucket');
    app.synth();
    writeFileSync(join(cdkOut, 'validation-report.json'), JSON.stringify({ pluginReports: [] }));
    mkdirSync(docs);
    writeFileSync(join(docs, 'compliance-report.md'), committedReport);
    writeFileSync(join(docs, 'compliance-report.html'), committedReport);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const runLinters = () => {
    writeFileSync(join(cdkOut, 'cfn-lint.json'), '[]');
    writeFileSync(join(cdkOut, 'checkov.json'), JSON.stringify(CHECKOV));
  };
  const docsUnchanged = () =>
    ['compliance-report.md', 'compliance-report.html'].map((name) => readFileSync(join(docs, name), 'utf8'));

  it('writes into the cloud assembly by default, even without linter results, and leaves docs/ alone', async () => {
    const written = await writeReport(parseReportArgs([], root), asIs);

    expect(written).toEqual([join(cdkOut, 'compliance-report.md'), join(cdkOut, 'compliance-report.html')]);
    expect(readFileSync(written[0]!, 'utf8')).toMatch(/### cfn-lint\n\nNot run/);
    expect(docsUnchanged()).toEqual([committedReport, committedReport]);
  });

  it('follows --cdk-out: the report lands beside the assembly it describes', () => {
    const other = join(root, 'elsewhere');

    expect(parseReportArgs(['--cdk-out', other], root)).toEqual(
      expect.objectContaining({ cdkOut: other, outDir: other }),
    );
  });

  it('refuses --out-dir docs while a linter has no results, naming them, and keeps the committed files', async () => {
    const writing = writeReport(parseReportArgs(['--out-dir', docs], root), asIs);

    await expect(writing).rejects.toThrow(IncompleteReportError);
    await expect(writing).rejects.toMatchObject({
      gaps: [
        expect.stringMatching(/^cfn-lint: .*cfn-lint\.json is missing$/),
        expect.stringMatching(/^checkov: /),
      ],
    });
    expect(docsUnchanged()).toEqual([committedReport, committedReport]);
  });

  it('refuses linter results written before the last synth: they describe other templates', async () => {
    runLinters();
    const beforeSynth = new Date(Date.now() - 60_000);
    utimesSync(join(cdkOut, 'checkov.json'), beforeSynth, beforeSynth);

    await expect(writeReport(parseReportArgs(['--out-dir', docs], root), asIs)).rejects.toMatchObject({
      gaps: [expect.stringMatching(/^checkov: .*checkov\.json is older than the cloud assembly$/)],
    });
    expect(docsUnchanged()).toEqual([committedReport, committedReport]);
  });

  it('refuses an assembly without cdk-nag results', async () => {
    runLinters();
    rmSync(join(cdkOut, 'validation-report.json'));

    await expect(writeReport(parseReportArgs(['--out-dir', docs], root), asIs)).rejects.toMatchObject({
      gaps: [expect.stringMatching(/^cdk-nag: .*validation-report\.json is missing$/)],
    });
  });

  it('writes a complete report to --out-dir once every scanner has run on this assembly', async () => {
    runLinters();

    await writeReport(parseReportArgs(['--out-dir', docs], root), asIs);

    const [markdown, html] = docsUnchanged();
    expect(markdown).not.toMatch(/not run/i);
    expect(markdown).toContain('### cfn-lint\n\nNo findings in any template.');
    expect(markdown).toContain('| 12 | 0 | 3 | 0 | 5 |');
    expect(html).toContain('<h3>checkov</h3>');
  });

  it('exits 1 from the command line with what is missing, and writes nothing', () => {
    const result = spawnSync(
      join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['scripts/report/main.ts', '--cdk-out', cdkOut, '--out-dir', docs],
      { cwd: repoRoot, encoding: 'utf8' },
    );

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Not writing the report to');
    expect(result.stderr).toMatch(/cfn-lint: .*is missing/);
    expect(existsSync(join(cdkOut, 'compliance-report.md'))).toBe(false);
    expect(docsUnchanged()).toEqual([committedReport, committedReport]);
  });
});
