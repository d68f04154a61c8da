// The data-frame steps (modes, fillna, LogFare, get_dummies) and toTensor on a small CSV written here.
import { describe, expect, it } from 'vitest';
import { tabular } from '../../src/node.js';
import { SMALL_CSV } from './fixtures.js';

const { ColumnError } = tabular;
const col = (df: tabular.DataFrame, c: string): unknown[] => Array.from(df.array(c) as ArrayLike<unknown>);

describe('missing values and modes', () => {
  const df = tabular.readCsv(SMALL_CSV);

  it('countMissing = df.isna().sum()', () => {
    expect(tabular.countMissing(df)).toEqual({ PassengerId: 0, Survived: 0, Pclass: 0, Name: 0, Sex: 0, Age: 2, Fare: 0, Embarked: 1 });
  });

  it('modes = df.mode().iloc[0]: the most frequent value, the smallest on ties (pandas sorts modes)', () => {
    const m = tabular.modes(df);
    expect(m.Age).toBe(35); // 35 twice
    expect(m.Embarked).toBe('S');
    expect(m.Sex).toBe('female'); // 3 female, 3 male: tie -> smallest
    expect(m.Pclass).toBe(3); // 1 twice, 3 three times
    expect(m.Fare).toBe(7.25); // all distinct: the smallest
    expect(m.Name).toBe('Allen, Mr. William Henry');
    expect(tabular.modes(tabular.readCsv('x\n10\n9\n10\n9\n'))).toEqual({ x: 9 }); // numeric, not text, order
    expect(tabular.modes(tabular.readCsv('x,y\n1,\n2,\n'), ['y'])).toEqual({ y: null }); // nothing present
  });

  it('fillMissingWithMode fills the chosen columns; given modes fill another table (test.csv with TRAIN modes)', () => {
    const { df: filled, modes } = tabular.fillMissingWithMode(df, ['Age', 'Embarked']);
    expect(col(filled, 'Age')).toEqual([22, 38, 35, 35, 35, 35]);
    expect(col(filled, 'Embarked')).toEqual(['S', 'C', 'S', 'S', 'Q', 'S']);
    expect(tabular.countMissing(filled).Age).toBe(0);
    expect(col(df, 'Age')).toContain(null); // the input table is unchanged
    const other = tabular.readCsv('Age,Embarked\n,\n7,C\n');
    const { df: o } = tabular.fillMissingWithMode(other, ['Age', 'Embarked'], modes);
    expect(o.objects()).toEqual([{ Age: 35, Embarked: 'S' }, { Age: 7, Embarked: 'C' }]);
    expect(col(tabular.fillMissing(df, { Age: 0 }), 'Age')).toEqual([22, 38, 0, 35, 35, 0]);
    expect(() => tabular.fillMissingWithMode(df, ['Cabin'])).toThrow(/"Cabin" not found; the table has: PassengerId, Survived/);
  });

  it('addColumn computes a column row by row (LogFare = log(Fare + 1))', () => {
    const out = tabular.addColumn(df, 'LogFare', (r) => Math.log((r.Fare as number) + 1));
    expect(out.columnNames().at(-1)).toBe('LogFare');
    expect(out.get('LogFare', 0)).toBeCloseTo(Math.log(8.25), 12);
  });
});

describe('getDummies', () => {
  const df = tabular.fillMissingWithMode(tabular.readCsv(SMALL_CSV)).df;

  it('replaces the columns with sorted 0/1 columns named like pandas, appended at the end', () => {
    const { df: d, dummies } = tabular.getDummies(df, ['Sex', 'Pclass', 'Embarked']);
    expect(dummies).toEqual(['Sex_female', 'Sex_male', 'Pclass_1', 'Pclass_2', 'Pclass_3', 'Embarked_C', 'Embarked_Q', 'Embarked_S']);
    expect(d.columnNames()).toEqual(['PassengerId', 'Survived', 'Name', 'Age', 'Fare', ...dummies]);
    expect(col(d, 'Sex_male')).toEqual([1, 0, 0, 0, 1, 1]);
    expect(col(d, 'Pclass_2')).toEqual([0, 0, 0, 0, 0, 1]);
    expect(col(d, 'Embarked_S')).toEqual([1, 0, 1, 1, 0, 1]); // row 3 was filled with the mode S
  });

  it('applies a given column set to another table: absent categories give zeros, unknown ones zero rows', () => {
    const { dummies } = tabular.getDummies(df, ['Sex', 'Embarked']);
    const test = tabular.readCsv('Sex,Embarked\nmale,S\nfemale,X\n');
    const { df: t, dummies: td } = tabular.getDummies(test, ['Sex', 'Embarked'], { columns: dummies });
    expect(td).toEqual(dummies);
    expect(t.objects()).toEqual([
      { Sex_female: 0, Sex_male: 1, Embarked_C: 0, Embarked_Q: 0, Embarked_S: 1 },
      { Sex_female: 1, Sex_male: 0, Embarked_C: 0, Embarked_Q: 0, Embarked_S: 0 },
    ]);
    expect(() => tabular.getDummies(test, ['Sex'], { columns: ['Sex_male', 'Cabin_A'] })).toThrow(/Cabin_A do not start with any of Sex_/);
    expect(() => tabular.getDummies(test, ['Pclass'])).toThrow(ColumnError);
  });
});

describe('toTensor', () => {
  const df = tabular.getDummies(tabular.fillMissingWithMode(tabular.readCsv(SMALL_CSV)).df, ['Sex']).df;

  it('gives float32 [rows, cols] in the order asked', () => {
    const t = tabular.toTensor(df, ['Age', 'Fare', 'Sex_male']);
    expect(t.shape).toEqual([6, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.get(0).tolist()).toEqual([22, Math.fround(7.25), 1]);
    expect(tabular.columnTensor(df, 'Survived', { dtype: 'int32' }).tolist()).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('names an absent column and lists the available ones', () => {
    expect(() => tabular.toTensor(df, ['Age', 'LogFare'])).toThrow(ColumnError);
    expect(() => tabular.toTensor(df, ['Age', 'LogFare'])).toThrow(/toTensor: column "LogFare" not found; the table has: PassengerId, Survived, Pclass, Name, Age, Fare, Embarked, Sex_female, Sex_male/);
  });

  it('names the column and row of a non-numeric or missing value', () => {
    expect(() => tabular.toTensor(df, ['Age', 'Embarked'])).toThrow(/column "Embarked" has the non-numeric value "S" at row 0: make dummy columns/);
    const raw = tabular.readCsv(SMALL_CSV);
    expect(() => tabular.toTensor(raw, ['Fare', 'Age'])).toThrow(/column "Age" has a missing value at row 2: fill it first/);
    expect(() => tabular.toTensor(raw, ['Fare'], { dtype: 'int32' })).toThrow(/non-integer value 7.25 at row 0/);
  });
});
