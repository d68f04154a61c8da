// The notebook's data steps ("Cleaning the data", "Setting up a linear model", "Submitting to Kaggle"):
// read train.csv, fill missing values with the modes, LogFare, dummies, 12 inputs divided by their maxima,
// RandomSplitter(seed=42); test.csv prepared the same way with the TRAIN modes, dummy columns and maxima.
import { FastgradError, FormatError } from '../../errors.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Tensor, tabular } from '../../node.js';

export const ADDED_COLS = ['Sex_male', 'Sex_female', 'Pclass_1', 'Pclass_2', 'Pclass_3', 'Embarked_C', 'Embarked_Q', 'Embarked_S'] as const;
export const INDEP_COLS: readonly string[] = ['Age', 'SibSp', 'Parch', 'LogFare', ...ADDED_COLS];
const DUMMY_SOURCES = ['Sex', 'Pclass', 'Embarked'];

export const NO_DATA_HELP = [
  'no Titanic data found.',
  'Download train.csv and test.csv from https://www.kaggle.com/competitions/titanic/data (accept the rules first;',
  "or `kaggle competitions download -c titanic`), put both in one folder, then run `fastgrad titanic --data <folder>`,",
  'or set FASTGRAD_DATA to that folder (or to a parent folder holding titanic/).',
].join('\n');

/** The folder holding train.csv and test.csv: `dir` or `dir/titanic`; default $FASTGRAD_DATA. Throws NO_DATA_HELP. */
export function findTitanicDir(dir?: string): string {
  const base = dir ?? process.env.FASTGRAD_DATA;
  if (base === undefined || base === '') throw new FastgradError(NO_DATA_HELP);
  for (const d of [join(base, 'titanic'), base]) if (existsSync(join(d, 'train.csv')) && existsSync(join(d, 'test.csv'))) return resolve(d);
  throw new FastgradError(`${NO_DATA_HELP}\n(looked for train.csv and test.csv in ${resolve(base)} and ${resolve(base, 'titanic')})`);
}

export interface TitanicData {
  dir: string;
  /** train.csv as read, before cleaning (for counts). */
  raw: tabular.DataFrame;
  /** After fillna(modes), LogFare and get_dummies. */
  df: tabular.DataFrame;
  missing: Record<string, number>;
  modes: Record<string, tabular.Cell>;
  /** [891, 12] inputs, not yet divided by the maxima (the notebook divides after drawing the coefficients). */
  tIndepRaw: Tensor;
  /** Column maxima `vals` and the divided inputs. */
  vals: Tensor;
  tIndep: Tensor;
  /** Survived as int32 [891]. */
  tDep: Tensor;
  trnSplit: number[];
  valSplit: number[];
  /** test.csv: PassengerId and the [418, 12] inputs divided by the TRAIN maxima. */
  test: { passengerIds: number[]; missing: Record<string, number>; tstIndep: Tensor };
}

/** LogFare = log(Fare + 1), then the three dummy columns (the train set's, when given). */
function derive(df: tabular.DataFrame, dummies?: readonly string[]): { df: tabular.DataFrame; dummies: string[] } {
  const withLog = tabular.addColumn(df, 'LogFare', (r) => Math.log((r.Fare as number) + 1));
  return tabular.getDummies(withLog, DUMMY_SOURCES, { columns: dummies });
}

export function loadTitanic(dir: string, splitSeed = 42): TitanicData {
  const raw = tabular.readCsv(join(dir, 'train.csv'));
  const missing = tabular.countMissing(raw);
  // modes = df.mode().iloc[0]; df.fillna(modes, inplace=True)
  const { df: filled, modes } = tabular.fillMissingWithMode(raw);
  const { df, dummies } = derive(filled);
  const absent = ADDED_COLS.filter((c) => !dummies.includes(c));
  if (absent.length) throw new FormatError(`train.csv lacks categories the lesson needs: no rows give ${absent.join(', ')}`);

  const tIndepRaw = tabular.toTensor(df, INDEP_COLS); // tensor(df[indep_cols].values, dtype=torch.float)
  const tDep = tabular.columnTensor(df, 'Survived', { dtype: 'int32' }); // tensor(df.Survived)
  const vals = (tIndepRaw.max(0) as { values: Tensor }).values; // vals,indices = t_indep.max(dim=0)
  const tIndep = tIndepRaw.div(vals);
  const [trnSplit, valSplit] = tabular.RandomSplitter({ seed: splitSeed })(df); // RandomSplitter(seed=42)(df)

  // tst_df['Fare'] = tst_df.Fare.fillna(0); tst_df.fillna(modes, inplace=True); LogFare; get_dummies
  const tstRaw = tabular.readCsv(join(dir, 'test.csv'));
  tabular.checkColumns(tstRaw, ['PassengerId', 'Fare', 'Age', 'SibSp', 'Parch', ...DUMMY_SOURCES], 'test.csv column');
  const tstFilled = tabular.fillMissingWithMode(tabular.fillMissing(tstRaw, { Fare: 0 }), tstRaw.columnNames().filter((c) => c in modes), modes).df;
  const tst = derive(tstFilled, dummies).df;
  const test = {
    passengerIds: Array.from(tst.array('PassengerId') as ArrayLike<number>),
    missing: tabular.countMissing(tstRaw),
    tstIndep: tabular.toTensor(tst, INDEP_COLS).div(vals),
  };
  return { dir, raw, df, missing, modes, tIndepRaw, vals, tIndep, tDep, trnSplit, valSplit, test };
}
