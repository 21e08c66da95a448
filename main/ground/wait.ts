/**
 * Waits for a condition that another part of the system makes true (a queue drained, a state
 * reached), checking again whenever the event loop has turned. For tests and tools: it never
 * sleeps a fixed time, and gives up with a clear error at its deadline.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, opts: { timeoutMs?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'the condition'}`);
    // Let timers (backoff, the platform's replies) run before checking again.
    await new Promise((r) => setTimeout(r, 10));
  }
}
