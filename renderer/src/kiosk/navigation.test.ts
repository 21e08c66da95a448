// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { SessionView } from '../../../main/bridge/contract';
import type { FaceOutcome } from '../face/FaceCapture';
import { screenAfterFace, screenAfterMessage, screenForService, screenForSession, stepsFor, useKioskNavigation, type Screen } from './navigation';

afterEach(cleanup);

const cardHolder: SessionView = {
  provenBy: 'ss-card',
  certType: '01',
  maskedName: '王*国',
  maskedNo: '320102********1234',
  startedAt: '2026-03-02T08:00:00.000Z',
};
const nextCardHolder: SessionView = { ...cardHolder, maskedName: '李*', startedAt: '2026-03-02T08:05:00.000Z' };
const idCardHolder: SessionView = { ...cardHolder, provenBy: 'id-card' };

describe('screenForService', () => {
  it('asks a social-security card holder for the PIN before the account, records and cumulative totals', () => {
    expect(screenForService('account', cardHolder, false)).toEqual({ name: 'pin', then: 'account' });
    expect(screenForService('records', cardHolder, false)).toEqual({ name: 'pin', then: 'records' });
    expect(screenForService('cumulative', cardHolder, false)).toEqual({ name: 'pin', then: 'cumulative' });
  });

  it('opens a protected service directly once the PIN is confirmed', () => {
    expect(screenForService('account', cardHolder, true)).toEqual({ name: 'service', service: 'account' });
  });

  it('opens unprotected services without a PIN', () => {
    expect(screenForService('policy', cardHolder, false)).toEqual({ name: 'service', service: 'policy' });
  });

  it('needs no PIN from someone identified another way (ID card, QR, face)', () => {
    expect(screenForService('account', idCardHolder, false)).toEqual({ name: 'service', service: 'account' });
    expect(screenForService('records', { ...cardHolder, provenBy: 'face' }, false)).toEqual({ name: 'service', service: 'records' });
  });
});

describe('screenForSession', () => {
  it('goes home when a session starts while the kiosk is identifying someone', () => {
    for (const name of ['attract', 'identify', 'face-login'] as const) expect(screenForSession({ name }, cardHolder)).toEqual({ name: 'home' });
  });

  it('keeps the screen (the same object) when the session changes during a service', () => {
    const screen: Screen = { name: 'service', service: 'estimate' };
    expect(screenForSession(screen, cardHolder)).toBe(screen);
  });

  it('returns to the attract screen when the session ends inside the services', () => {
    expect(screenForSession({ name: 'home' }, null)).toEqual({ name: 'attract' });
    expect(screenForSession({ name: 'pin', then: 'account' }, null)).toEqual({ name: 'attract' });
    expect(screenForSession({ name: 'face-enrol' }, null)).toEqual({ name: 'attract' });
  });

  it('leaves a message up when the session ends, so it can still be read', () => {
    const message: Screen = { name: 'message', text: '未能识别', tone: 'error', next: 'identify' };
    expect(screenForSession(message, null)).toBe(message);
  });
});

describe('screenAfterMessage', () => {
  it('goes home only while someone is still identified', () => {
    expect(screenAfterMessage('home', cardHolder)).toEqual({ name: 'home' });
    expect(screenAfterMessage('home', null)).toEqual({ name: 'identify' });
    expect(screenAfterMessage('identify', cardHolder)).toEqual({ name: 'identify' });
  });
});

describe('screenAfterFace', () => {
  const text = { enrolled: 'enrolled', notRecognised: 'not recognised', failed: 'camera unavailable' };
  const outcome = (o: Partial<FaceOutcome>): FaceOutcome => ({ state: 'done', error: null, match: null, enrolled: false, ...o });

  it('confirms an enrolment and returns home', () => {
    expect(screenAfterFace('face-enrol', outcome({ enrolled: true }), text)).toEqual({ name: 'message', text: 'enrolled', tone: 'ok', next: 'home' });
  });

  it('reports an enrolment that did not take', () => {
    expect(screenAfterFace('face-enrol', outcome({ state: 'failed', error: 'CAMERA_UNAVAILABLE' }), text)).toEqual({
      name: 'message',
      text: 'camera unavailable',
      tone: 'error',
      next: 'home',
    });
    expect(screenAfterFace('face-enrol', outcome({ enrolled: false }), text)).toEqual({
      name: 'message',
      text: 'camera unavailable',
      tone: 'error',
      next: 'home',
    });
  });

  it('leaves a recognised login to the session that main starts', () => {
    expect(screenAfterFace('face-login', outcome({ match: true }), text)).toBeNull();
  });

  it('sends an unrecognised or failed login back to identifying', () => {
    expect(screenAfterFace('face-login', outcome({ match: false }), text)).toEqual({
      name: 'message',
      text: 'not recognised',
      tone: 'error',
      next: 'identify',
    });
    expect(screenAfterFace('face-login', outcome({ state: 'failed', error: 'FACE_TIMEOUT' }), text)).toEqual({
      name: 'message',
      text: 'camera unavailable',
      tone: 'error',
      next: 'identify',
    });
  });
});

describe('useKioskNavigation', () => {
  const mount = () =>
    renderHook(({ session }: { session: SessionView | null }) => useKioskNavigation(session), { initialProps: { session: null as SessionView | null } });

  it('starts on the attract screen and follows the session home and back', () => {
    const nav = mount();
    expect(nav.result.current.screen).toEqual({ name: 'attract' });
    nav.rerender({ session: cardHolder });
    expect(nav.result.current.screen).toEqual({ name: 'home' });
    act(() => nav.result.current.open('policy'));
    expect(nav.result.current.screen).toEqual({ name: 'service', service: 'policy' });
    nav.rerender({ session: null });
    expect(nav.result.current.screen).toEqual({ name: 'attract' });
  });

  it('asks for the PIN once per session, and again for the next card holder', () => {
    const nav = mount();
    nav.rerender({ session: cardHolder });
    act(() => nav.result.current.open('account'));
    expect(nav.result.current.screen).toEqual({ name: 'pin', then: 'account' });
    act(() => nav.result.current.pinAccepted('account'));
    expect(nav.result.current.screen).toEqual({ name: 'service', service: 'account' });

    act(() => nav.result.current.setScreen({ name: 'home' }));
    act(() => nav.result.current.open('records'));
    expect(nav.result.current.screen).toEqual({ name: 'service', service: 'records' });

    nav.rerender({ session: null });
    nav.rerender({ session: nextCardHolder });
    act(() => nav.result.current.open('records'));
    expect(nav.result.current.screen).toEqual({ name: 'pin', then: 'records' });
  });
});

describe('stepsFor (第 n 步 / 共 N 步)', () => {
  it('counts identify, choose and the result for a look-up; the form adds its own steps, never more than five', () => {
    expect(stepsFor({ name: 'identify' }, false, null)).toEqual({ steps: ['identify', 'choose', 'result'], at: 0 });
    expect(stepsFor({ name: 'home' }, true, null)).toEqual({ steps: ['identify', 'choose', 'result'], at: 1 });
    expect(stepsFor({ name: 'service', service: 'account' }, true, null)).toEqual({ steps: ['identify', 'choose', 'view'], at: 2 });
    const verified = { steps: ['fill', 'verify', 'result'] as const, at: 'verify' as const };
    expect(stepsFor({ name: 'form', id: 'remote-filing' }, true, { steps: [...verified.steps], at: verified.at })).toEqual({
      steps: ['identify', 'choose', 'fill', 'verify', 'result'],
      at: 3,
    });
    expect(stepsFor({ name: 'form', id: 'remote-filing' }, true, { steps: ['fill', 'verify', 'result', 'view'], at: 'view' })!.steps).toHaveLength(5);
  });

  it('a service with steps of its own (a new 个人信息授权) counts them; without, it is one step to view', () => {
    expect(stepsFor({ name: 'service', service: 'auth' }, true, { steps: ['fill', 'verify', 'result'], at: 'verify' })).toEqual({
      steps: ['identify', 'choose', 'fill', 'verify', 'result'],
      at: 3,
    });
    expect(stepsFor({ name: 'service', service: 'auth' }, true, null)).toEqual({ steps: ['identify', 'choose', 'view'], at: 2 });
  });

  it('a public look-up from the identify screen has no identify step; attract and messages are no step', () => {
    expect(stepsFor({ name: 'catalogue', category: 'query' }, false, null)).toEqual({ steps: ['choose', 'result'], at: 0 });
    expect(stepsFor({ name: 'form', id: 'hospitals' }, false, { steps: ['fill', 'result'], at: 'result' })).toEqual({
      steps: ['choose', 'fill', 'result'],
      at: 2,
    });
    expect(stepsFor({ name: 'attract' }, false, null)).toBeNull();
    expect(stepsFor({ name: 'message', text: 'x', tone: 'ok', next: 'home' }, true, null)).toBeNull();
  });
});
