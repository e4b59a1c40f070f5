import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { SharedStack } from './global-setup.js';

/**
 * Once the last project that uses the local stack is done: scans every item of the table, every line
 * the stack logged and every email in the mail folder for any sensitive value the tests sent or received (docs/SECURITY.md, "nothing
 * leaks"), stops the stack, and fails the run if anything was found (Jest exits non-zero when a global
 * teardown throws).
 */
export default async function globalTeardown(): Promise<void> {
  const shared = (globalThis as { __twoFactorStack?: SharedStack }).__twoFactorStack;
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  delete (globalThis as { __twoFactorStack?: SharedStack }).__twoFactorStack;

  // The table lives in the stack's DynamoDB Local: scan before stopping the stack, and stop it whatever happens.
  let scan: { code: number | null; output: string };
  try {
    await Promise.all(shared.logs.map((log) => new Promise((resolve) => log.stream.write('', resolve))));
    scan = await scanForLeaks();
  } finally {
    await stop(shared);
  }
  if (scan.code !== 0) {
    // The folder (ledger and logs) stays for whoever investigates; the report itself names no value.
    throw new Error(
      `The "nothing leaks" scan failed (exit ${scan.code}):\n${scan.output.trim()}\nLedger and stack logs kept in ${shared.folder}`,
    );
  }
  process.stdout.write(scan.output);
  rmSync(shared.folder, { recursive: true, force: true });
}

/** Runs test/support/leak-scan-process.ts under tsx, as the stack itself runs. */
function scanForLeaks(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const scanner = spawn(process.execPath, ['--import', 'tsx', 'test/support/leak-scan-process.ts'], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    scanner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    scanner.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    scanner.once('error', reject);
    scanner.once('close', (code) => resolve({ code, output }));
  });
}

/** Read again after a wait: the process may have exited meanwhile (a plain comparison would look settled). */
function stillRunning(child: SharedStack['child']): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stop(shared: SharedStack): Promise<void> {
  const { child } = shared;
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // Cleared once the stack has stopped: left pending, it would keep Jest from exiting for its full 10 s.
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (giveUp = setTimeout(resolve, 10_000)))]);
    clearTimeout(giveUp);
    if (stillRunning(child)) child.kill('SIGKILL');
  }
  await Promise.all(shared.logs.map((log) => new Promise((resolve) => log.stream.end(resolve))));
}
