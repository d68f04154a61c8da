// Selected columns of a table → a float32 [rows, cols] tensor, as `tensor(df[cols].values, dtype=torch.float)`.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import type { DType } from '../tensor/dtype.js';
import { fromArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DataFrame } from './csv.js';
import { ColumnError, checkColumns, isMissing } from './frame.js';

export interface ToTensorOptions {
  /** 'float32' (default) or 'float64'; 'int32' for labels such as Survived. */
  dtype?: Extract<DType, 'float32' | 'float64' | 'int32'>;
}

/**
 * `tensor(df[cols].values, dtype=torch.float)`: shape [numRows, cols.length]. Booleans count as 0/1.
 * Throws a ColumnError naming an absent column (and listing those there are), or the column and row
 * (0-based, as pandas' index) of a missing or non-numeric value.
 */
export function toTensor(df: DataFrame, cols: readonly string[], opts: ToTensorOptions = {}): Tensor {
  checkColumns(df, cols, 'toTensor: column');
  const dtype = opts.dtype ?? 'float32';
  const n = df.numRows(), k = cols.length;
  const out = dtype === 'float64' ? new Float64Array(n * k) : dtype === 'int32' ? new Int32Array(n * k) : new Float32Array(n * k);
  cols.forEach((c, j) => {
    const values = df.array(c) as ArrayLike<unknown>;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const x = typeof v === 'boolean' ? Number(v) : v;
      if (isMissing(x))
        throw new ColumnError(`toTensor: column ${JSON.stringify(c)} has a missing value at row ${i}: fill it first (fillMissingWithMode)`);
      if (typeof x !== 'number')
        throw new ColumnError(`toTensor: column ${JSON.stringify(c)} has the non-numeric value ${JSON.stringify(x)} at row ${i}: make dummy columns (getDummies) or convert it`);
      if (dtype === 'int32' && !Number.isInteger(x))
        throw new ColumnError(`toTensor: column ${JSON.stringify(c)} has the non-integer value ${x} at row ${i}, but dtype is int32`);
      out[i * k + j] = x;
    }
  });
  return fromArray(out, [n, k]);
}

/** One column as a 1-D tensor, e.g. `column(df, 'Survived', {dtype: 'int32'})` for `tensor(df.Survived)`. */
export function columnTensor(df: DataFrame, col: string, opts: ToTensorOptions = {}): Tensor {
  return toTensor(df, [col], opts).reshape([-1]);
}
