// PyTorch golden cases for the creation op family (tools/golden/ops_shape.py → test/golden/ops_shape.json).
import { goldenSuite } from './golden_ops.js';

goldenSuite('creation', 60);
