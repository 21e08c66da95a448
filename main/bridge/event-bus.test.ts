import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus';
import { silentLogger } from '../ground/logger';

describe('event bus', () => {
  const bus = () => new EventBus(silentLogger);

  it('gives a late subscriber the present state but never a past moment', () => {
    const b = bus();
    b.emit('status.queue', { pending: 2, unknown: 0, needsAttention: 0, oldestPendingAt: null });
    b.emit('checkout.scan', { listCode: 'XA01AAA0001' });
    b.emit('device.credential', { kind: 'error', deviceId: 'id-card-1', code: 'ID_CARD_READ_FAILED' });
    const names = b.snapshot().map((e) => e.event);
    expect(names).toContain('status.queue');
    expect(names).not.toContain('checkout.scan');
    expect(names).not.toContain('device.credential');
  });

  it('drops an event whose payload breaks the contract, and delivers the rest', () => {
    const b = bus();
    const got: string[] = [];
    b.subscribe((e) => got.push(e.event));
    b.emit('checkout.scan', { listCode: 42 } as never);
    b.emit('checkout.scan', { listCode: 'XA01AAA0001' });
    expect(got).toEqual(['checkout.scan']);
  });
});
