// Preloaded (`node --require`) into a test node to shift its wall clock by
// TESSERA_TEST_CLOCK_OFFSET_MS: nodes of one test can disagree about the time, as real hosts do.
// Only Date is shifted; timers and performance.now() (durations) are untouched.
'use strict';
const offset = Number(process.env.TESSERA_TEST_CLOCK_OFFSET_MS || 0);
if (offset) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
