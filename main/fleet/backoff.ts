/**
 * Reconnect delays with exponential growth and full jitter (a random delay between 0 and the
 * exponential bound): after a broker restart a thousand terminals spread their reconnects over the
 * whole window instead of arriving together (MQTT.js reconnects at a fixed period).
 */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay; each call doubles the bound up to maxMs. */
  next(): number {
    const bound = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * bound);
  }

  /** After a connection that worked. */
  reset(): void {
    this.attempt = 0;
  }
}
