export interface Repeating {
  stop(): void;
}

/**
 * Runs `task` `ms` after the previous run settled (never two at once), on an unref'd timer (it
 * keeps no process alive). A failure goes to `onError`; the next run still comes, until stop.
 */
export function repeatAfter(
  ms: number,
  task: () => Promise<unknown>,
  onError: (e: Error) => void,
): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void task().catch(onError).finally(tick);
    }, ms);
    timer.unref();
  };
  tick();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
