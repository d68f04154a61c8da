// Note [Primitive table]: src/backend/ops.ts lists the elementwise and reduce primitives once; the
// reference kernels, the wasm op codes on both sides of the JS/wasm boundary and the AssemblyScript
// kernels must agree with it exactly, names and order (they were kept in sync by hand, by position).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, opCodes } from '../../src/backend/ops.js';
import { BINARY, UNARY } from '../../src/backend/cpu/elementwise.js';
import { OUTPUT, TABLE, constName, expected, readTable } from '../../scripts/gen-opcodes.mjs';

const assembly = (f: string): string => readFileSync(new URL(`../../assembly/${f}`, import.meta.url), 'utf8');

/** The `case NAME:` labels of one AssemblyScript function (up to the next top-level function). */
function cases(source: string, fn: string): string[] {
  const start = source.indexOf(`function ${fn}(`);
  expect(start, `${fn} in the kernels`).toBeGreaterThan(0);
  const next = /\n(?:@inline |export )*function /g;
  next.lastIndex = start + 1;
  const end = next.exec(source)?.index;
  return [...source.slice(start, end).matchAll(/case ([A-Z0-9_]+):/g)].map((m) => m[1]!);
}

describe('one primitive table drives every backend', () => {
  test('the reference kernel tables list the ops of the table, in its order', () => {
    expect(Object.keys(UNARY)).toEqual([...UNARY_OPS]);
    expect(Object.keys(BINARY)).toEqual([...BINARY_OPS]);
  });

  test('assembly/opcodes.generated.ts is what scripts/gen-opcodes.mjs writes from the table', () => {
    const table = readTable(readFileSync(TABLE, 'utf8'));
    expect(table).toEqual({ UNARY_OPS: [...UNARY_OPS], BINARY_OPS: [...BINARY_OPS], REDUCE_OPS: [...REDUCE_OPS] });
    expect(readFileSync(OUTPUT, 'utf8'), 'stale: run `node scripts/gen-opcodes.mjs`').toBe(expected());
    const generated = readFileSync(OUTPUT, 'utf8');
    for (const ops of [UNARY_OPS, BINARY_OPS, REDUCE_OPS] as readonly (readonly string[])[])
      ops.forEach((op, i) => expect(generated).toContain(`export const ${constName(op)}: i32 = ${i}; // ${op}\n`));
    expect(constName('logicalNot')).toBe('LOGICAL_NOT');
  });

  test('the wasm backend codes an op by its position in the table', () => {
    expect(opCodes(UNARY_OPS)).toEqual(Object.fromEntries(UNARY_OPS.map((o, i) => [o, i])));
    expect(opCodes(BINARY_OPS).bitwiseXor).toBe(BINARY_OPS.length - 1);
    expect(readFileSync(new URL('../../src/backend/wasm/backend.ts', import.meta.url), 'utf8')).toMatch(/opCodes\(UNARY_OPS\)[\s\S]*opCodes\(BINARY_OPS\)[\s\S]*opCodes\(REDUCE_OPS\)/);
  });

  test('the AssemblyScript kernels take their codes from the generated file and handle every op', () => {
    const ew = assembly('elementwise.ts'), red = assembly('reduce.ts');
    for (const src of [ew, red]) {
      expect(src).toContain("from './opcodes.generated'");
      expect(src, 'op codes numbered by hand').not.toMatch(/const [A-Z_]+ = \d+, [A-Z_]+ = \d+/);
    }
    expect(new Set(cases(ew, 'unF64'))).toEqual(new Set(UNARY_OPS.map(constName)));
    expect(new Set(cases(ew, 'binF64'))).toEqual(new Set(BINARY_OPS.map(constName)));
    expect(red).toContain(`import { ${REDUCE_OPS.map(constName).join(', ')} } from './opcodes.generated';`);
  });
});
