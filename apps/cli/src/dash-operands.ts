/**
 * A kid is an RFC 7638 thumbprint in base64url, so one in 64 begins with "-" and commander
 * would read `keys retire -mje94…` as an unknown option. The CLI defines no short options, so
 * a word of one dash and many base64url characters can only be an operand: it is moved behind
 * a `--` terminator, after the options, keeping the operands' order.
 */
const DASH_OPERAND = /^-[A-Za-z0-9_-]{16,}$/;

export function protectDashOperands(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  const tail = end === -1 ? [] : argv.slice(end + 1);
  const moved = head.filter((a) => DASH_OPERAND.test(a) && !a.startsWith('--'));
  if (!moved.length) return [...argv];
  const kept = head.filter((a) => !moved.includes(a));
  return [...kept, '--', ...moved, ...tail];
}
