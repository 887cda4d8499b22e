// How the `blockstake` command starts Node (bin/blockstake sets these; the devnet and the benchmarks pass
// them to the node processes they spawn; a unit test keeps the script and this module equal). Measured
// on a node that has synced 50,000 transactions (docs/BENCHMARKS.md).

/**
 * glibc malloc tunables (other C libraries ignore them): at most two arenas (glibc makes up to 8 per core,
 * one per thread that allocates, and each keeps what its thread freed); blocks from 128 KB up mapped and
 * unmapped on their own, and free memory at the top of the heap returned from 128 KB (glibc raises both
 * thresholds up to 32 and 64 MB once a process frees a large block, after which a sync's multi-megabyte
 * buffers pile up in the heap). RSS 190 -> 152 MB.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
}

/**
 * V8's young generation: semi-spaces of at most 4 MB (V8's default grows them to 8 MB, so 16 MB of
 * new space, which stays resident). Fixed when the heap is created, so it cannot be set at run time like
 * the daemon's other GC flags (cli/node.ts). RSS 152 -> 141 MB, no measurable cost to a sync.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4']

/** `env` with the malloc tunables it does not set already (for spawning a node process). */
export function withMallocEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...MALLOC_ENV, ...env }
}
