/**
 * Polling for a condition with a deadline: tests wait for what a busy 2-core machine does late,
 * never for a latency target. Each caller keeps its own generous deadline and interval.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PollOptions {
  /** How long the condition may take before the test fails. */
  timeoutMs: number;
  /** The pause between two checks. */
  everyMs: number;
}

/** Checks `ok` until it holds; throws `timed out waiting for <what>` past the deadline. */
export async function until(
  what: string,
  ok: () => Promise<boolean> | boolean,
  { timeoutMs, everyMs }: PollOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Calls `fn` until it gives a value, and returns that value; throws past the deadline. */
export async function untilValue<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  { timeoutMs, everyMs }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
