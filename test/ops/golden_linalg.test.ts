// PyTorch golden cases for the linalg op family (tools/golden/ops_shape.py → test/golden/ops_shape.json),
// plus the book's edge-detection number checked directly.
import { expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { READS_SYNC, describeBackends } from '../helpers/backends.js';
import { goldenSuite } from './golden_ops.js';

goldenSuite('linalg', 65);

describeBackends('conv2d: the book\'s top-edge kernel', () => {
  it('gives 762 where a bar of 254s starts below two blank rows (rows 4..6, cols 6..8)', () => {
    const img = fg.zeros([28, 28]);
    img.set(['6:22', '5:10'], 254);
    const top = fg.tensor([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], { dtype: 'float32' });
    // the book: (im3_t[4:7, 6:9] * top_edge).sum()
    expect(img.get('4:7, 6:9').mul(top).sum().item()).toBe(762);
    const out = fg.conv2d(img.get('None, None'), top.get('None, None'));
    expect(out.shape).toEqual([1, 1, 26, 26]);
    expect(out.get(0, 0, 4, 6).item()).toBe(762);
  });
}, { skip: { 'cpu-async': READS_SYNC } });
