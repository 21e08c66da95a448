import { describe, expect, it } from 'vitest';
import { HelpDesk, type HelpCall } from './help';
import { fixedClock } from '../ground/clock';
import { createLogger, memorySink } from '../ground/logger';

function desk(identified = false) {
  const clock = fixedClock('2026-12-02T03:00:00Z');
  const sink = memorySink();
  const help = new HelpDesk(clock, createLogger({ sinks: [sink] }), () => identified);
  const changes: (HelpCall | null)[] = [];
  help.on('changed', (c) => changes.push(c));
  return { clock, sink, help, changes };
}

describe('呼叫工作人员', () => {
  it('raises one call however often the button is pressed, and logs it once as a warning', () => {
    const { help, sink, changes } = desk(true);
    const first = help.request('form:remote-filing');
    const again = help.request('home');
    help.request('home');
    expect(again.id).toBe(first.id);
    expect(help.current?.presses).toBe(3);
    expect(help.current?.screen).toBe('form:remote-filing');
    expect(changes).toHaveLength(1);
    const raised = sink.lines.map((l) => JSON.parse(l) as { msg: string; level: string; identified?: boolean }).filter((l) => l.msg === 'help.requested');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ level: 'warn', identified: true });
  });

  it('ends when staff answer; a new press afterwards is a new call', () => {
    const { help, clock, sink, changes } = desk();
    const first = help.request('identify');
    clock.advance(95_000);
    expect(help.end('answered')).toEqual({ ended: true });
    expect(help.current).toBeNull();
    expect(help.end('answered')).toEqual({ ended: false });
    const answered = sink.lines.map((l) => JSON.parse(l) as { msg: string; waitedSeconds?: number }).find((l) => l.msg === 'help.answered');
    expect(answered?.waitedSeconds).toBe(95);
    const second = help.request('identify');
    expect(second.id).not.toBe(first.id);
    expect(changes.map((c) => c?.id ?? null)).toEqual([first.id, null, second.id]);
  });

  it('keeps an odd screen name out of the log', () => {
    const { help, sink } = desk();
    help.request('../../etc/passwd\n王建国 320102199001011234');
    expect(help.current?.screen).toBe('unknown');
    expect(sink.lines.join('\n')).not.toContain('320102');
  });
});
