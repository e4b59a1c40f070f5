import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Meters the Argon2 hashes the handlers compute: how many each request made, at which cost, and the CPU time
 * they took. functions/core/hashing.ts hashes with @node-rs/argon2, as the deployed functions do (with the
 * linux-arm64 binary), and with hash-wasm only where no native binary loads; both are wrapped here. When the
 * handlers hashed with hash-wasm, the bench replaces that share of a step's CPU with what the native hash
 * costs, measured in the same run by {@link measureArgon2Ratios}.
 *
 * Both are CommonJS packages: wrapping their exports here, before any handler module is imported (this module
 * is bench/main.ts's first import), is what the handlers' `import('@node-rs/argon2')` and `import('hash-wasm')` get.
 */

/** One Argon2 cost as the PHC string writes it, e.g. `m=19456,t=2,p=1`. */
export type Argon2Cost = string;

/** The Argon2 hashes one request made, by cost. */
export type HashUse = Record<Argon2Cost, { count: number; cpuMs: number }>;

interface HashWasmModule {
  argon2id: (options: { memorySize: number; iterations: number; parallelism: number }) => Promise<unknown>;
}

interface NativeArgon2Module {
  hashRaw: (password: unknown, options: { memoryCost: number; timeCost: number; parallelism: number }) => Promise<unknown>;
}

const projectRequire = createRequire(import.meta.url);
const hashWasmPath = projectRequire.resolve('hash-wasm');
const nativeArgon2Path = projectRequire.resolve('@node-rs/argon2');
const hashWasm = projectRequire(hashWasmPath) as HashWasmModule;
const nativeArgon2 = projectRequire(nativeArgon2Path) as NativeArgon2Module;

let current: HashUse = {};

/** Runs one hash, adding its cost and this process's CPU time during it (all threads) to the current request's use. */
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
const originalHashRaw = nativeArgon2.hashRaw.bind(nativeArgon2);
hashWasm.argon2id = metered(originalArgon2id, (options) => `m=${options.memorySize},t=${options.iterations},p=${options.parallelism}`);
nativeArgon2.hashRaw = metered(
  originalHashRaw,
  (_password, options) => `m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}`,
);

/** Starts counting a new request's hashes; `take` returns them. */
export const hashMeter = {
  start(): void {
    current = {};
  },
  take(): HashUse {
    const taken = current;
    current = {};
    return taken;
  },
};

/** What one hash of a cost takes with each implementation (@node-rs/argon2 the native one), in one Node.js, and hash-wasm ÷ native. */
export interface Argon2Ratio {
  cost: Argon2Cost;
  runs: number;
  hashWasmCpuMs: number;
  nativeCpuMs: number;
  hashWasmWallMs: number;
  nativeWallMs: number;
  /** hash-wasm CPU ÷ native CPU: how much faster the deployed hash is; what the bench divides hash-wasm CPU by if the handlers used it. */
  ratio: number;
}

const run = promisify(execFile);

/**
 * Times hash-wasm's `argon2id` against @node-rs/argon2's `hashRaw` at each cost, in a fresh process of
 * `nodePath`: the two alternated, `runs` of each after one warm-up, the process's CPU time (all threads: the
 * native hash runs on libuv's pool) and wall time, medians.
 */
export async function measureArgon2Ratios(nodePath: string, costs: Argon2Cost[], runs: number, workDir: string): Promise<Argon2Ratio[]> {
  const script = join(workDir, 'argon2-ratio.cjs');
  writeFileSync(
    script,
    [
      "const crypto = require('node:crypto');",
      'const [hashWasmPath, nativeArgon2Path, costsJson, runsText] = process.argv.slice(2);',
      'const { argon2id } = require(hashWasmPath);',
      'const { hashRaw } = require(nativeArgon2Path);',
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
      '    const native = () => hashRaw("bench password", { salt: crypto.randomBytes(16), memoryCost: memory, timeCost: passes, parallelism, outputLen: 32, algorithm: 2 });',
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
  const { stdout } = await run(nodePath, [script, hashWasmPath, nativeArgon2Path, JSON.stringify(costs), String(runs)], { cwd: workDir });
  const results = JSON.parse(stdout) as Omit<Argon2Ratio, 'ratio'>[];
  return results.map((result) => ({ ...result, ratio: result.hashWasmCpuMs / result.nativeCpuMs }));
}
