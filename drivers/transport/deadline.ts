/**
 * A bound on an operation that may never settle: a write into a port whose other end stopped
 * reading, a close waiting on such a write, a child that ignores its stop. The operation itself
 * cannot be called back (its native work goes on); the caller stops waiting and is told why.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onExpiry: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onExpiry()), ms);
  });
  // The work's own late rejection, after the deadline won, is observed here and dropped.
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
