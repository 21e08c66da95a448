/**
 * 呼叫工作人员: a resident (or a customer) asks for a person. The call is one state in main —
 * pending from the first press until a member of staff answers it (or the caller withdraws it) —
 * so pressing the button five times raises one call, every screen and every window of the
 * terminal shows the same state, and the log has one line. Where a fleet exists the call goes out
 * with the terminal's health at once (main/app/fleet.ts), the fleet console shows it, and staff
 * can answer it from there (`answer-help`); otherwise the status bar and the log carry it.
 *
 * Nothing personal is in a call: the screen's name (so staff know where the resident stuck), the
 * time, and whether a resident was identified — never who.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';

export interface HelpCall {
  id: string;
  /** ISO time of the first press. */
  at: string;
  /** The screen the call came from (a short code, e.g. `form:remote-filing`). */
  screen: string;
  /** How many times the button was pressed while the call was pending. */
  presses: number;
}

export type HelpEnd = 'answered' | 'withdrawn';

const SCREEN = /^[a-z0-9][a-z0-9:._-]{0,63}$/;

export class HelpDesk extends EventEmitter<{ changed: [HelpCall | null] }> {
  private call: HelpCall | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly identified: () => boolean,
  ) {
    super();
  }

  get current(): HelpCall | null {
    return this.call ? { ...this.call } : null;
  }

  /** Raises a call, or counts one more press of the call already pending. */
  request(screen: string): HelpCall {
    const where = SCREEN.test(screen) ? screen : 'unknown';
    if (this.call) {
      this.call.presses += 1;
      this.log.info('help.repeated', { id: this.call.id, screen: where, presses: this.call.presses });
      return { ...this.call };
    }
    this.call = { id: randomUUID(), at: this.clock.nowIso(), screen: where, presses: 1 };
    this.log.warn('help.requested', { id: this.call.id, screen: where, identified: this.identified() });
    this.emit('changed', this.current);
    return { ...this.call };
  }

  /** Ends the pending call: staff answered it, or the caller withdrew it. Ending none is not an error. */
  end(how: HelpEnd): { ended: boolean } {
    const c = this.call;
    if (!c) return { ended: false };
    this.call = null;
    const waitedSeconds = Math.max(0, Math.round((this.clock.now() - Date.parse(c.at)) / 1000));
    this.log.info(`help.${how}`, { id: c.id, waitedSeconds });
    this.emit('changed', null);
    return { ended: true };
  }
}
