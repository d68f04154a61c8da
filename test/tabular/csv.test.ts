// readCsv on a small CSV written here: CRLF, quoted commas and quotes, missing values, typed columns, errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { tabular } from '../../src/node.js';
import { SMALL_CSV } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fastgrad-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readCsv', () => {
  const path = join(tmp, 'small.csv');
  writeFileSync(path, SMALL_CSV);

  it('reads a file: header order, row count, quoted commas and doubled quotes', () => {
    const df = tabular.readCsv(path);
    expect(df.columnNames()).toEqual(['PassengerId', 'Survived', 'Pclass', 'Name', 'Sex', 'Age', 'Fare', 'Embarked']);
    expect(df.numRows()).toBe(6);
    expect(df.get('Name', 0)).toBe('Braund, Mr. Owen Harris');
    expect(df.get('Name', 2)).toBe('Johnston, Miss. Catherine Helen "Carrie"');
    expect(df.get('Embarked', 5)).toBe('S'); // no stray \r at the line end
  });

  it('types columns like pandas: numbers where every present value is numeric, missing as null', () => {
    const df = tabular.readCsv(path);
    expect(Array.from(df.array('Age') as ArrayLike<unknown>)).toEqual([22, 38, null, 35, 35, null]);
    expect(df.get('Fare', 1)).toBe(71.2833);
    expect(df.get('Embarked', 3)).toBeNull();
    expect(typeof df.get('Pclass', 0)).toBe('number');
    expect(typeof df.get('Sex', 0)).toBe('string');
    expect(tabular.readCsv('a,b\n1,x\n2,0x1f\n').get('b', 1)).toBe('0x1f'); // no hex/Infinity through Number()
    expect(tabular.readCsv('z\n02134\n', { text: ['z'] }).get('z', 0)).toBe('02134');
    expect(tabular.readCsv('a,b\nNA,1\nnan,2\n').get('a', 0)).toBeNull(); // pandas' default na_values
  });

  it('parses CSV text (a string with a line break), LF or CRLF alike, and bytes', () => {
    const lf = tabular.readCsv(SMALL_CSV.replace(/\r\n/g, '\n'));
    const crlf = tabular.readCsv(SMALL_CSV);
    expect(lf.objects()).toEqual(crlf.objects());
    expect(tabular.readCsv(new TextEncoder().encode(SMALL_CSV)).numRows()).toBe(6);
  });

  it('rejects a ragged row, naming the row, its line, and the field counts', () => {
    const bad = 'a,b,c\r\n1,2,3\r\n4,5\r\n';
    expect(() => tabular.readCsv(bad)).toThrow(FormatError);
    expect(() => tabular.readCsv(bad)).toThrow(/row 2 \(line 3\) has 2 fields, expected 3/);
    expect(() => tabular.readCsv('a,b\n1,2,3\n')).toThrow(/row 1 \(line 2\) has 3 fields, expected 2/);
  });

  it('rejects a missing file, an empty input, a bad header, broken quoting and oversized input', () => {
    expect(() => tabular.readCsv(join(tmp, 'nope.csv'))).toThrow(/no file at .*nope\.csv/);
    expect(() => tabular.readCsv(tmp)).toThrow(/no file at/); // a folder
    expect(() => tabular.readCsv('\n')).toThrow(/empty/);
    expect(() => tabular.readCsv('a,a\n1,2\n')).toThrow(/"a" appears twice/);
    expect(() => tabular.readCsv('a,,c\n1,2,3\n')).toThrow(/column 2 has no name/);
    expect(() => tabular.readCsv('a,b\n"1,2\n')).toThrow(/not valid CSV/);
    expect(() => tabular.readCsv(path, { maxBytes: 100 })).toThrow(/over the 100-byte limit/);
  });
});
