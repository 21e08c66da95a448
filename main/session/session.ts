/**
 * The resident's session: who is at the terminal (one Identity), since when, and how they
 * proved it. It ends on logout, on removal of the card that opened it, or on idle timeout, and
 * then everything personal is dropped from memory.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { Identity } from '../devices/identity';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import type { SessionView } from '../bridge/contract';

export type EndReason = 'logout' | 'card-removed' | 'idle' | 'replaced' | 'shutdown' | 'service';

export class ResidentSession extends EventEmitter<{ changed: [SessionView | null]; ended: [EndReason] }> {
  private identity: Identity | null = null;
  private startedAt = 0;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | null = null;
  /** A fresh verification of this session's person (face 1:1, or the social-security card's PIN), for acts that need it. */
  private verified: { how: 'face' | 'card-pin'; at: number } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Main's backstop: the renderer counts down on screen; this ends the session even if it cannot. */
    private readonly idleTimeoutMs: number,
  ) {
    super();
  }

  get current(): Identity | null {
    return this.identity;
  }

  view(): SessionView | null {
    const id = this.identity;
    if (!id) return null;
    return {
      provenBy: id.provenBy,
      certType: id.certType,
      maskedName: id.name ? maskName(id.name) : null,
      maskedNo: maskIdNumber(id.idNumber ?? id.certNo),
      startedAt: new Date(this.startedAt).toISOString(),
    };
  }

  begin(identity: Identity): void {
    if (this.identity) this.end('replaced', false);
    this.identity = identity;
    this.verified = null;
    this.startedAt = this.clock.now();
    this.touch();
    this.log.info('session.started', { provenBy: identity.provenBy, certType: identity.certType });
    this.emit('changed', this.view());
  }

  markVerified(how: 'face' | 'card-pin'): void {
    if (this.identity) this.verified = { how, at: this.clock.now() };
  }

  /** How the person verified themselves within `ms`, or null; the verification is used up by the act. */
  takeVerification(ms: number): 'face' | 'card-pin' | null {
    const v = this.verified;
    this.verified = null;
    return v && this.clock.now() - v.at <= ms ? v.how : null;
  }

  touch(): void {
    this.lastActivity = this.clock.now();
    if (this.timer) clearTimeout(this.timer);
    if (!this.identity) return;
    this.timer = setTimeout(() => {
      if (this.identity && this.clock.now() - this.lastActivity >= this.idleTimeoutMs) this.end('idle');
    }, this.idleTimeoutMs + 50);
    this.timer.unref();
  }

  end(reason: EndReason, announce = true): void {
    if (!this.identity) return;
    this.identity = null;
    this.verified = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.log.info('session.ended', { reason });
    this.emit('ended', reason);
    if (announce) this.emit('changed', null);
  }
}
