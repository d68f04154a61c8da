// Types of scripts/gen-opcodes.mjs, for the test that checks the generated op codes.
export declare const TABLE: string;
export declare const OUTPUT: string;
export declare function readTable(source: string): Record<'UNARY_OPS' | 'BINARY_OPS' | 'REDUCE_OPS', string[]>;
export declare function constName(op: string): string;
export declare function render(table: Record<'UNARY_OPS' | 'BINARY_OPS' | 'REDUCE_OPS', string[]>): string;
export declare function expected(): string;
