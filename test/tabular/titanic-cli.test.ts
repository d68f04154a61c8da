// `fastgrad titanic`: the no-data message (always) and a full run on the real files writing results.json,
// index.html and submission.csv (../shared/data or $FASTGRAD_DATA; skipped with a reason otherwise).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runTitanic } from '../../src/cli/titanic.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'fastgrad-titanic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fastgrad titanic without data', () => {
  it('says where to put Kaggle train.csv and test.csv', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await expect(runTitanic({ data: empty, quiet: true })).rejects.toThrow(/no Titanic data found.*\n.*train\.csv and test\.csv.*kaggle\.com\/competitions\/titanic[\s\S]*looked for train\.csv and test\.csv in/);
  });

  it('exits non-zero from the command line, the message on stderr', async () => {
    const env = { ...process.env };
    delete env.FASTGRAD_DATA;
    const run = promisify(execFile)(process.execPath, ['--import', pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, join(repoRoot, 'src/cli/main.ts'), 'titanic'], { cwd: tmp, env });
    const err = (await run.then(() => null, (e: unknown) => e)) as { code: number; stderr: string } | null;
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/fastgrad: error: no Titanic data found[\s\S]*FASTGRAD_DATA/);
  }, 30_000);
});

const dataRoot = resolve(repoRoot, process.env.FASTGRAD_DATA ?? '../shared/data');
const dir = [join(dataRoot, 'titanic'), dataRoot].find((d) => existsSync(join(d, 'train.csv')) && existsSync(join(d, 'test.csv')));
const title = dir ? `fastgrad titanic on ${dir}` : `fastgrad titanic (skipped: no train.csv/test.csv in ${dataRoot}/titanic; set FASTGRAD_DATA)`;

describe.skipIf(!dir)(title, () => {
  it('prints ours | book, writes results.json, the report and a Kaggle submission', async () => {
    const lines: string[] = [];
    const out = join(tmp, 'run');
    const r = await runTitanic({ data: dir, out, log: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toMatch(/first loss\s+0\.5382 \| 0\.5382/);
    expect(text).toMatch(/loss after one step\s+0\.4945 \| 0\.4945/);
    expect(text).toMatch(/713 train \/ 178 valid/);
    for (const [name, book] of [['linear', '0.7865'], ['sigmoid', '0.8258'], ['matrix', '0.8258'], ['neural-net', '0.8258'], ['deep', '0.8258']])
      expect(text).toMatch(new RegExp(`\\n  ${name}\\s+${book} \\| ${book}`));

    const results = JSON.parse(readFileSync(r.resultsPath, 'utf8')) as { stages: Record<string, unknown>[] };
    expect(results.stages.map((st) => st.name)).toEqual(['linear', 'sigmoid', 'matrix', 'neural-net', 'deep']);
    for (const st of results.stages) {
      expect(Object.keys(st).sort()).toEqual(['accuracy', 'bookAccuracy', 'name', 'seconds', 'seed']);
      expect(st.seed).toBe(442);
      expect(st.accuracy as number).toBeGreaterThanOrEqual(st.name === 'linear' ? 0.78 : 0.81);
    }
    expect(existsSync(join(out, 'index.html'))).toBe(true);

    const sub = readFileSync(r.submissionPath, 'utf8').split('\n');
    expect(sub[0]).toBe('PassengerId,Survived');
    expect(sub).toHaveLength(420); // header, 418 rows, final newline
    expect(sub[1]).toMatch(/^892,[01]$/);
    expect(sub.slice(1, -1).every((l) => /^\d+,[01]$/.test(l))).toBe(true);
  }, 60_000);
});
