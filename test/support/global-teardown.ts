import type { ChildProcess } from 'node:child_process';

interface SharedStack {
  child: ChildProcess;
  users: number;
}

/** Stops the local stack once the last project that started it is done. */
export default async function globalTeardown(): Promise<void> {
  const shared = (globalThis as { __twoFactorStack?: SharedStack }).__twoFactorStack;
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  delete (globalThis as { __twoFactorStack?: SharedStack }).__twoFactorStack;
  const { child } = shared;
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
