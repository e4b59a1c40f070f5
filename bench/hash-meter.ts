import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Meters the Argon2 hashes the handlers compute with hash-wasm (the fallback functions/core/hashing.ts uses
 * where the runtime has no `crypto.argon2`, i.e. Node < 24.7): how many each request made, at which cost,
 * and the CPU time they took. The deployed runtime (`nodejs24.x`) hashes with Node's own `crypto.argon2`
 * instead, so the bench replaces that share of a step's CPU time with what the native hash costs, measured
 * in the same run by {@link measureArgon2Ratios}.
 *
 * hash-wasm is a CommonJS package: wrapping its exports here, before any handler module is imported (this
 * module is bench/main.ts's first import), is what the handlers' `import { argon2id } from 'hash-wasm'` gets.
 */

/** One Argon2 cost as the PHC string writes it, e.g. `m=19456,t=2,p=1`. */
export type Argon2Cost = string;

/** hash-wasm's Argon2 calls one request made, by cost. */
export type HashWasmUse = Record<Argon2Cost, { count: number; cpuMs: number }>;

interface HashWasmModule {
  argon2id: (options: { memorySize: number; iterations: number; parallelism: number }) => Promise<unknown>;
  argon2Verify: (options: { hash: string }) => Promise<unknown>;
}

const hashWasmPath = createRequire(import.meta.url).resolve('hash-wasm');
const hashWasm = createRequire(import.meta.url)(hashWasmPath) as HashWasmModule;

let current: HashWasmUse = {};

/** Runs one hash-wasm call, adding its cost and this process's CPU time during it to the current request's use. */
function metered<A extends unknown[]>(original: (...args: A) => Promise<unknown>, costOf: (...args: A) => Argon2Cost) {
  return async (...args: A): Promise<unknown> => {
    const cost = costOf(...args);
    const before = process.cpuUsage();
    try {
      return await original(...args);
    } finally {
      const used = process.cpuUsage(before);
      const entry = (current[cost] ??= { count: 0, cpuMs: 0 });
      entry.count += 1;
      entry.cpuMs += (used.user + used.system) / 1000;
    }
  };
}

const originalArgon2id = hashWasm.argon2id.bind(hashWasm);
const originalArgon2Verify = hashWasm.argon2Verify.bind(hashWasm);
hashWasm.argon2id = metered(originalArgon2id, (options) => `m=${options.memorySize},t=${options.iterations},p=${options.parallelism}`);
hashWasm.argon2Verify = metered(originalArgon2Verify, (options) => /\$(m=\d+,t=\d+,p=\d+)\$/.exec(options.hash)?.[1] ?? 'unknown');

/** Starts counting a new request's hashes; `take` returns them. */
export const hashMeter = {
  start(): void {
    current = {};
  },
  take(): HashWasmUse {
    const taken = current;
    current = {};
    return taken;
  },
};

/** What one hash of a cost takes with each implementation, in one Node.js, and hash-wasm ÷ native. */
export interface Argon2Ratio {
  cost: Argon2Cost;
  runs: number;
  hashWasmCpuMs: number;
  nativeCpuMs: number;
  hashWasmWallMs: number;
  nativeWallMs: number;
  /** hash-wasm CPU ÷ native CPU: what the bench divides the handlers' hash-wasm CPU by. */
  ratio: number;
}

const run = promisify(execFile);

/**
 * Times hash-wasm's `argon2id` against `crypto.argon2('argon2id', …)` at each cost, in a fresh process of
 * `nodePath` (which must have `crypto.argon2`): the two alternated, `runs` of each after one warm-up, the
 * process's CPU time (all threads: the native hash runs on libuv's pool) and wall time, medians. Returns
 * null when that Node.js has no `crypto.argon2`.
 */
export async function measureArgon2Ratios(
  nodePath: string,
  costs: Argon2Cost[],
  runs: number,
  workDir: string,
): Promise<Argon2Ratio[] | null> {
  const script = join(workDir, 'argon2-ratio.cjs');
  writeFileSync(
    script,
    [
      "const crypto = require('node:crypto');",
      'const [hashWasmPath, costsJson, runsText] = process.argv.slice(2);',
      "if (typeof crypto.argon2 !== 'function') { process.stdout.write('null'); process.exit(0); }",
      'const { argon2id } = require(hashWasmPath);',
      'const runs = Number(runsText);',
      'const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];',
      'const time = async (hash) => {',
      '  const cpu = process.cpuUsage(); const started = performance.now();',
      '  await hash();',
      '  const used = process.cpuUsage(cpu);',
      '  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };',
      '};',
      '(async () => {',
      '  const results = [];',
      '  for (const cost of JSON.parse(costsJson)) {',
      '    const [memory, passes, parallelism] = cost.split(",").map((part) => Number(part.split("=")[1]));',
      '    const wasm = () => argon2id({ password: "bench password", salt: crypto.randomBytes(16), memorySize: memory, iterations: passes, parallelism, hashLength: 32, outputType: "hex" });',
      '    const native = () => new Promise((resolve, reject) => crypto.argon2("argon2id", { message: "bench password", nonce: crypto.randomBytes(16), memory, passes, parallelism, tagLength: 32 }, (error, tag) => (error ? reject(error) : resolve(tag))));',
      '    await wasm(); await native();',
      '    const samples = { wasm: [], native: [] };',
      '    for (let index = 0; index < runs; index++) {',
      '      const order = index % 2 === 0 ? ["wasm", "native"] : ["native", "wasm"];',
      '      for (const which of order) samples[which].push(await time(which === "wasm" ? wasm : native));',
      '    }',
      '    const pick = (which, field) => median(samples[which].map((sample) => sample[field]));',
      '    results.push({ cost, runs, hashWasmCpuMs: pick("wasm", "cpuMs"), nativeCpuMs: pick("native", "cpuMs"), hashWasmWallMs: pick("wasm", "wallMs"), nativeWallMs: pick("native", "wallMs") });',
      '  }',
      '  process.stdout.write(JSON.stringify(results));',
      '})();',
      '',
    ].join('\n'),
  );
  const { stdout } = await run(nodePath, [script, hashWasmPath, JSON.stringify(costs), String(runs)], { cwd: workDir });
  const results = JSON.parse(stdout) as Omit<Argon2Ratio, 'ratio'>[] | null;
  return results?.map((result) => ({ ...result, ratio: result.hashWasmCpuMs / result.nativeCpuMs })) ?? null;
}
