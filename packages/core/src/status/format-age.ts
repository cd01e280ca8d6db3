/**
 * Elapsed time since `timestamp` (epoch seconds) as the original prints it: `DD:HH:MM:SS`, each
 * part at least two digits, days as many as needed. Python's floor division is kept, so a time
 * in the future prints as a negative day count (`-1:23:59:55`), as the original does.
 */
export function formatAge(timestamp: number, now: number = Date.now() / 1000): string {
  const elapsed = now - timestamp;
  const [minutes, seconds] = pyDivmod(elapsed, 60);
  const [hours, minute] = pyDivmod(minutes, 60);
  const [days, hour] = pyDivmod(hours, 24);
  return [days, hour, minute, seconds].map(pad2).join(':');
}

/** Python's `divmod` for floats: the quotient floored, the remainder with the divisor's sign. */
function pyDivmod(value: number, divisor: number): [number, number] {
  const quotient = Math.floor(value / divisor);
  return [quotient, value - quotient * divisor];
}

/** `'%02d' % value`: truncated toward zero, zero-padded to two digits (after any sign). */
function pad2(value: number): string {
  const whole = Math.trunc(value);
  // The sign counts toward the width: -1 prints as "-1", not "-01".
  return whole < 0 ? String(whole) : String(whole).padStart(2, '0');
}
