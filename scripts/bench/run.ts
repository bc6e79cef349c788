import { Stack, log } from './bench-stack';
import { stopLoad } from './load';

let stopping = false;

/** True once Ctrl-C or SIGTERM asked the bench to stop. */
export const interrupted = (): boolean => stopping;

/** Throws once the bench is stopping: long scenarios call it between steps. */
export function checkpoint(): void {
  if (stopping) throw new Error('interrupted');
}

/**
 * Runs a bench's main on a fresh Stack: a signal stops the load and everything the stack
 * started (exit 130); whatever ends the process, nothing it started outlives it.
 */
export function runBench(main: (stack: Stack) => Promise<number>): void {
  const stack = new Stack();
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping everything`);
    stopLoad();
    void stack.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('exit', () => stack.exitNow());
  main(stack)
    .catch((e: unknown) => {
      if (!stopping) log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return 1;
    })
    .then(async (code) => {
      await stack.stop();
      process.exit(stopping ? 130 : code);
    });
}
