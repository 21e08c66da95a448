import { describe, expect, it } from 'vitest';
import { isTrustedSender } from './sender-policy';

describe('IPC sender policy', () => {
  const ok = { fromAppWindow: true, isMainFrame: true, frameUrl: 'app://kiosk/index.html' };
  it('trusts the app window main frame on the app origin', () => {
    expect(isTrustedSender(ok)).toBe(true);
  });
  it('refuses other windows, subframes, other origins and junk URLs', () => {
    expect(isTrustedSender({ ...ok, fromAppWindow: false })).toBe(false);
    expect(isTrustedSender({ ...ok, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'https://evil.example/' })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'app://kiosk.evil/x' })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'file:///etc/passwd' })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'not a url' })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: null })).toBe(false);
  });
});
