// The allocator of the wasm backend: every storage lives in one WebAssembly.Memory (shared with the
// worker threads). Blocks come in size classes (4 per power of two, 16-byte aligned, at most 25 %
// slack); a freed block goes onto its class's free list and is reused as is (no coalescing), new
// blocks are bumped off the top, and the memory grows when the top reaches its end.
//
// Release is deterministic through free(); a FinalizationRegistry frees what the program forgot.
// Because its callbacks only run between tasks (never inside a long synchronous training loop), the
// heap also reclaims *synchronously* before growing: where Node lets us (v8 flags set at load), it runs
// a full GC and FinalizationRegistry.cleanupSome() so blocks of unreachable tensors are back on the
// free lists before the memory is made any larger. See Note [Reclaim before growing].
import { OutOfMemoryError } from '../../errors.js';

/** A block handed out by the heap (a WasmStorage): its address and its id in the block table. */
export interface Block {
  ptr: number;
  readonly id: number;
}

export interface HeapStats {
  /** Bytes in blocks handed out and not yet released (class sizes). */
  liveBytes: number;
  liveBlocks: number;
  /** Bytes on the free lists. */
  freeBytes: number;
  /** Size of the WebAssembly.Memory. */
  memoryBytes: number;
  /** The bump pointer: everything below was handed out at least once. */
  topBytes: number;
  /** Synchronous reclaims (GC + cleanupSome) run so far, and blocks the registry freed. */
  reclaims: number;
  finalized: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

/** Size class of a request: [index, bytes]. Classes: 64 B, then 4 steps per power of two. */
export function sizeClass(bytes: number): [number, number] {
  if (bytes <= 64) return [0, 64];
  const e = 31 - Math.clz32(bytes - 1 >= 2 ** 32 ? 2 ** 32 - 1 : bytes - 1); // 2^e < bytes <= 2^(e+1)
  const base = 2 ** e, step = base / 4;
  const q = Math.ceil((bytes - base) / step); // 1..4
  return [(e - 6) * 4 + q, base + q * step];
}

/** Size of class cls (inverse of sizeClass). */
export function classBytes(cls: number): number {
  return CLASS_BYTES[cls] ?? computeClassBytes(cls);
}

function computeClassBytes(cls: number): number {
  if (cls === 0) return 64;
  const e = Math.floor((cls - 1) / 4) + 6, q = ((cls - 1) % 4) + 1;
  return 2 ** e + q * 2 ** (e - 2);
}
/** Every class up to 4 GiB (a table: release() looks one up per free). */
const CLASS_BYTES: number[] = Array.from({ length: 4 * 27 + 1 }, (_, c) => computeClassBytes(c));

type GcHooks = { gc: () => void; Registry: typeof FinalizationRegistry } | null;

/**
 * Node: a callable gc() and a FinalizationRegistry with cleanupSome(), from a fresh vm context (null
 * where Node's built-ins cannot be had synchronously, e.g. a browser).
 */
export function nodeGcHooksSync(builtin: <T>(name: string) => T | null): GcHooks {
  const v8 = builtin<typeof import('node:v8')>('node:v8'), vm = builtin<typeof import('node:vm')>('node:vm');
  return v8 && vm ? gcHooksFrom(v8, vm) : null;
}

function gcHooksFrom(v8: typeof import('node:v8'), vm: typeof import('node:vm')): GcHooks {
  try {
    v8.setFlagsFromString('--expose-gc');
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const ctx = vm.createContext();
    const gc = vm.runInContext('gc', ctx) as () => void;
    const Registry = vm.runInContext('FinalizationRegistry', ctx) as typeof FinalizationRegistry;
    if (typeof gc !== 'function' || typeof (Registry.prototype as { cleanupSome?: unknown }).cleanupSome !== 'function') return null;
    return { gc, Registry };
  } catch {
    return null;
  }
}

// Blocks are numbered; the table keeps each one's address, class, liveness and a generation that
// changes whenever it is released. The FinalizationRegistry's held value is (id, generation), so a
// storage freed explicitly needs no unregister (a register with an unregister token costs ~0.7 us, one
// without ~0.2 us): its late finalizer finds another generation and does nothing.
const GEN_BITS = 2 ** 20;

export class Heap {
  u8!: Uint8Array;
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  private top: number;
  /** Free block ids per class. */
  private readonly free: number[][] = [];
  private readonly bPtr: number[] = [];
  private readonly bCls: number[] = [];
  private readonly bGen: number[] = [];
  private readonly bLive: boolean[] = [];
  private live = 0;
  private liveBlocks = 0;
  private freeBytes = 0;
  private reclaims = 0;
  private finalized = 0;
  private sinceReclaim = 0;
  private lastGcEnd = 0;
  private lastGcMs = 0;
  private liveAfterGc = 0;
  private readonly registry: FinalizationRegistry<number>;
  private readonly cleanupSome: (() => void) | null;

  constructor(readonly memory: WebAssembly.Memory, base: number, private readonly hooks: GcHooks) {
    this.top = Math.ceil(base / 64) * 64;
    this.refresh();
    const Reg = hooks?.Registry ?? FinalizationRegistry;
    this.registry = new Reg<number>((held) => {
      const id = Math.floor(held / GEN_BITS);
      if (this.bLive[id] && this.bGen[id] === held % GEN_BITS) {
        this.finalized++;
        this.release(id);
      }
    });
    const reg = this.registry as unknown as { cleanupSome?: () => void };
    this.cleanupSome = hooks && typeof reg.cleanupSome === 'function' ? () => reg.cleanupSome!() : null;
  }

  private refresh(): void {
    const b = this.memory.buffer;
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
  }

  /** A block of at least `bytes`; `reused` says whether it may hold old data (fresh memory is zero). */
  alloc(bytes: number): { ptr: number; id: number; reused: boolean } {
    const [cls, size] = sizeClass(bytes);
    let id = this.free[cls]?.pop();
    let reused = true;
    if (id === undefined) {
      if (this.top + size > this.memory.buffer.byteLength) {
        // Note [Reclaim before growing]: unreachable storages may still hold blocks; collect them first.
        if (this.reclaim(size)) id = this.free[cls]?.pop();
        if (id === undefined && this.top + size > this.memory.buffer.byteLength) {
          try {
            this.grow(this.top + size);
          } catch (e) {
            if (this.reclaim(size, true)) id = this.free[cls]?.pop();
            if (id === undefined) throw e;
          }
        }
      }
      if (id === undefined) {
        reused = false;
        id = this.bPtr.length;
        this.bPtr.push(this.top);
        this.bCls.push(cls);
        this.bGen.push(0);
        this.bLive.push(false);
        this.top += size;
      }
    }
    if (reused) this.freeBytes -= size;
    this.bLive[id] = true;
    this.live += size;
    this.liveBlocks++;
    this.sinceReclaim += size;
    return { ptr: this.bPtr[id]!, id, reused };
  }

  /** Release `owner`'s block when the program drops it without free(). */
  track(owner: object, b: Block): void {
    this.registry.register(owner, b.id * GEN_BITS + this.bGen[b.id]!);
  }

  /** Deterministic release (idempotent; a pending finalizer for it becomes a no-op). */
  freeBlock(b: Block): void {
    if (b.ptr < 0) return;
    this.release(b.id);
    b.ptr = -1;
  }

  /** Put block `id` back on its free list. */
  release(id: number): void {
    if (!this.bLive[id]) return;
    this.bLive[id] = false;
    this.bGen[id] = (this.bGen[id]! + 1) % GEN_BITS;
    const cls = this.bCls[id]!;
    (this.free[cls] ??= []).push(id);
    const size = classBytes(cls);
    this.live -= size;
    this.liveBlocks--;
    this.freeBytes += size;
  }

  /**
   * Note [Reclaim before growing]: only a full GC finds unreachable storages (V8's scavenges do not run
   * finalizers), and one costs ~10-70 ms, so it is rationed. First take what V8's own GCs already
   * found (cleanupSome, ~free). Then force a GC when the memory would pass its soft limit (twice what
   * was live after the last GC, at least 256 MiB), or, below that, when 64 MiB were allocated since
   * and the GCs so far used under ~10 % of the time. Returns whether anything was reclaimed.
   */
  reclaim(need: number, force = false): boolean {
    if (!this.hooks || !this.cleanupSome) return false;
    const before = this.freeBytes;
    this.cleanupSome();
    if (this.freeBytes - before >= need && !force) return true;
    const overSoft = this.top + need > Math.max(256 * 2 ** 20, 2 * this.liveAfterGc) && this.sinceReclaim >= 32 * 2 ** 20;
    const now = performance.now();
    const budgetOk = now - this.lastGcEnd > 10 * this.lastGcMs && this.sinceReclaim >= Math.max(64 * 2 ** 20, need);
    if (!force && !overSoft && !budgetOk) return this.freeBytes > before;
    this.hooks.gc();
    this.cleanupSome();
    this.reclaims++;
    this.sinceReclaim = 0;
    this.lastGcEnd = performance.now();
    this.lastGcMs = this.lastGcEnd - now;
    this.liveAfterGc = this.live;
    return true;
  }

  private grow(needTop: number): void {
    const have = this.memory.buffer.byteLength;
    const minPages = Math.ceil((needTop - have) / PAGE);
    const want = Math.max(minPages, Math.ceil(have / 4 / PAGE));
    const left = MAX_PAGES - have / PAGE;
    if (minPages > left) {
      throw new OutOfMemoryError(
        `wasm backend: out of memory (need ${needTop - have} more bytes, the 4 GiB WebAssembly limit is reached; ${this.live} bytes are live). Free tensors you no longer need, or use a smaller batch`,
      );
    }
    this.memory.grow(Math.min(want, left));
    this.refresh();
  }

  stats(): HeapStats {
    return {
      liveBytes: this.live,
      liveBlocks: this.liveBlocks,
      freeBytes: this.freeBytes,
      memoryBytes: this.memory.buffer.byteLength,
      topBytes: this.top,
      reclaims: this.reclaims,
      finalized: this.finalized,
    };
  }
}
