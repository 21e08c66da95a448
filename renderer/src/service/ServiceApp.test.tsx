// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import { BridgeError, type DeviceStatus, type ServiceAccessState } from '../../../main/bridge/contract';
import { FakeBridge } from '../bridge/fake';
import { initI18n } from '../i18n';
import type { LiveStatus } from '../shell/useStatus';
import { ServiceApp } from './ServiceApp';
import { useServiceOverlay } from './useServiceOverlay';

const bridge = new FakeBridge();
window.estation = bridge;

beforeAll(async () => {
  await initI18n('zh-CN');
});

const open: ServiceAccessState = { pinSet: true, locked: false, lockedUntil: null, nextTryAt: null, failures: 0 };
const locked: ServiceAccessState = { ...open, locked: true };

const device = (id: string, kind: DeviceStatus['kind'], model: string, over: Partial<DeviceStatus> = {}): DeviceStatus => ({
  id,
  kind,
  model,
  port: `/dev/pts/${id.length}`,
  state: 'ready',
  code: null,
  lastError: null,
  simulated: true,
  updatedAt: '2025-03-01T08:00:00Z',
  ...over,
});

/** The kiosk at the health centre's door: its printer ran out of paper, its ID reader is unplugged. */
const kioskStatus: LiveStatus = {
  devices: [
    device('id-card', 'idCardReader', 'GA 467 SAM (simulated)', { state: 'absent', code: 'DEVICE_ABSENT' }),
    device('ss-card', 'ssCardReader', 'SSSE contact reader (simulated)'),
    device('printer', 'printer', 'ESC/POS 80 mm (simulated)', { state: 'fault', code: 'PRINTER_PAPER_OUT' }),
    device('camera', 'camera', 'face engine', { port: null, simulated: false, state: 'fault', code: 'FACE_MODELS_MISSING' }),
  ],
  network: null,
  queue: null,
};

function answerServiceMode(access: ServiceAccessState) {
  bridge
    .answer('service.status', () => access)
    .answer('service.overview', () => ({
      storage: { ok: false, integrity: 'ok', dbBytes: 2048 * 1024, freeBytes: 50 * 2 ** 20, tamperedRows: 0, problems: ['STORAGE_LOW_SPACE'] },
      queue: { pending: 1, sending: 0, done: 12, 'failed-business': 0, unknown: 0, reversed: 0, 'needs-attention': 2 },
      models: { version: 'faceplugin-0.0.1+estation.1', files: [{ name: 'detector', file: 'fr_feature.onnx', status: 'verified', sha256: 'ab'.repeat(32) }] },
      config: '{"platform": {"apikey": "[hidden]"}}',
    }))
    .answer('service.logs', () => ({ lines: [{ t: '2025-03-01T08:00:00.000Z', level: 'info', msg: 'service.unlocked', raw: '{}' }] }))
    .answer('service.lock', () => ({ ok: true }));
}

beforeEach(() => bridge.reset());
afterEach(() => cleanup());

describe('the service panels', () => {
  it('say every standing device failure in plain Chinese with what to do, and 重试 runs that self-test again', async () => {
    answerServiceMode(open);
    bridge.answer('service.selfTest', () => ({
      results: [
        {
          deviceId: 'printer',
          kind: 'printer',
          ok: false,
          code: 'PRINTER_PAPER_OUT',
          message: 'printer is paper-out',
          detail: { code: 'printer-not-ready', params: { condition: 'paper-out' } },
          durationMs: 40,
        },
      ],
    }));
    render(<ServiceApp status={kioskStatus} />);
    const printer = await screen.findByTestId('svc-device-printer');
    expect(within(printer).getByTestId('svc-problem-printer').textContent).toContain('打印机缺纸：请装入 80 mm 热敏纸后点“重试”');
    expect(screen.getByTestId('svc-problem-id-card').textContent).toContain('身份证读卡器未连接：请检查数据线和电源');
    expect(screen.getByTestId('svc-problem-camera').textContent).toContain('人脸识别模型文件缺失或损坏');

    fireEvent.click(within(printer).getByRole('button', { name: '重试' }));
    await waitFor(() => expect(screen.getByTestId('svc-result-printer').getAttribute('data-code')).toBe('PRINTER_PAPER_OUT'));
    expect(bridge.inputsOf('service.selfTest')).toEqual([{ deviceId: 'printer' }]);
    // Said once, in the test result, not twice in the row.
    expect(printer.textContent!.match(/打印机缺纸/g)).toHaveLength(1);
    expect(printer.textContent).not.toContain('paper-out');
  });

  it('show storage and queue items that need a person, with what to do', async () => {
    answerServiceMode(open);
    render(<ServiceApp status={kioskStatus} />);
    const overview = await screen.findByTestId('svc-overview');
    expect(overview.textContent).toContain('本机存储空间不足：请清理数据目录中的旧日志和旧报告');
    expect(screen.getByTestId('svc-queue-QUEUE_NEEDS_ATTENTION').textContent).toContain('有 2 笔交易需要人工处理：请到收银台的“待处理”页');
    expect(screen.getByTestId('svc-queue').textContent).toBe(
      '待上传 1 笔 · 上传中 0 笔 · 已完成 12 笔 · 平台拒绝 0 笔 · 结果未明 0 笔 · 已冲正待重发 0 笔 · 需处理 2 笔',
    );
  });

  it('a platform that cannot be reached is said in words, with 重试', async () => {
    answerServiceMode(open);
    bridge.answer('service.platform', () => ({ ok: false, ms: 5003, code: 'PLATFORM_UNREACHABLE', signedInAt: null, platformMessage: null }));
    render(<ServiceApp status={kioskStatus} />);
    fireEvent.click(await screen.findByRole('button', { name: '签到连通测试（9001）' }));
    const result = await screen.findByTestId('svc-platform');
    expect(result.textContent).toContain('签到未成功 · 用时 5003 毫秒');
    expect(result.textContent).toContain('连不上医保平台：请检查网线');
    fireEvent.click(within(result).getByRole('button', { name: '重试' }));
    await waitFor(() => expect(bridge.inputsOf('service.platform')).toHaveLength(2));
  });

  it('a readiness report the printer could not print says why', async () => {
    answerServiceMode(open);
    bridge.answer('service.readiness', () => ({
      ok: false,
      at: '2025-03-01T08:00:00Z',
      htmlPath: '/var/lib/e-station/reports/r.html',
      pdfPath: '/var/lib/e-station/reports/r.pdf',
      receiptJobId: null,
      printCode: 'PRINTER_COVER_OPEN',
    }));
    render(<ServiceApp status={kioskStatus} />);
    fireEvent.click(await screen.findByRole('button', { name: '生成并打印就绪报告' }));
    expect((await screen.findByTestId('svc-report-print')).textContent).toContain('打印机盖未合上：请合上打印机盖后点“重试”');
    // The report's page is asked for in the screen's language.
    expect(bridge.inputsOf('service.readiness')).toEqual([{ print: true, locale: 'zh-CN' }]);
  });

  it('show no English on the Chinese screen, but for paths, file, model and version names', async () => {
    answerServiceMode(open);
    render(<ServiceApp status={kioskStatus} />);
    await screen.findByTestId('svc-overview');
    const main = screen.getByTestId('service');
    // What a technician sees: closed details (configuration, raw log) are not on screen.
    main.querySelectorAll('details').forEach((d) => d.querySelectorAll(':scope > :not(summary)').forEach((n) => n.remove()));
    const allowed = ['GA 467 SAM', 'SSSE contact reader', 'ESC/POS 80 mm', 'face engine'];
    let text = main.textContent!;
    for (const a of allowed) text = text.split(a).join(' ');
    text = text
      .replace(/\S*\/\S*/g, ' ')
      .replace(/[\w-]+\.onnx/g, ' ')
      .replace(/\S*\d+\.\d+\.\d+\S*/g, ' ');
    expect(text.match(/[A-Za-z]{4,}/g) ?? []).toEqual([]);
  });
});

describe('service mode opened over the kiosk', () => {
  it('the PIN screen offers 返回, and leaving the panels hands the screen back', async () => {
    answerServiceMode(locked);
    const onExit = vi.fn(async () => undefined);
    const { unmount } = render(<ServiceApp status={kioskStatus} onExit={onExit} />);
    fireEvent.click(await screen.findByRole('button', { name: '返回' }));
    expect(onExit).toHaveBeenCalledTimes(1);
    unmount();

    bridge.reset();
    answerServiceMode(open);
    render(<ServiceApp status={kioskStatus} onExit={onExit} />);
    fireEvent.click(await screen.findByRole('button', { name: '退出维护' }));
    expect(onExit).toHaveBeenCalledTimes(2);
  });

  it('a relock in main (the idle timeout) hands the screen back by itself', async () => {
    answerServiceMode(open);
    const onExit = vi.fn(async () => undefined);
    render(<ServiceApp status={kioskStatus} onExit={onExit} />);
    await screen.findByTestId('service');
    act(() => bridge.emit('status.service', locked));
    await waitFor(() => expect(onExit).toHaveBeenCalledTimes(1));
  });
});

describe('useServiceOverlay', () => {
  it('on a kiosk, ends the resident session before the service screen opens, and locks and ends again on leaving', async () => {
    const order: string[] = [];
    bridge.answer('session.end', () => (order.push('session.end'), { ended: true })).answer('service.lock', () => (order.push('service.lock'), { ok: true }));
    const { result } = renderHook(() => useServiceOverlay('kiosk'));
    expect(result.current.open).toBe(false);
    await act(() => result.current.enter());
    expect(result.current.open).toBe(true);
    expect(order).toEqual(['session.end']);
    await act(() => result.current.leave());
    expect(result.current.open).toBe(false);
    expect(order).toEqual(['session.end', 'service.lock', 'session.end']);
  });

  it('stays closed when the session could not be ended', async () => {
    bridge.answer('session.end', () => {
      throw new BridgeError('INTERNAL', 'the session store is gone');
    });
    const { result } = renderHook(() => useServiceOverlay('kiosk'));
    await act(() => result.current.enter());
    expect(result.current.open).toBe(false);
  });

  it('at the counter the sale in progress is left alone', async () => {
    bridge.answer('service.lock', () => ({ ok: true }));
    const { result } = renderHook(() => useServiceOverlay('checkout'));
    await act(() => result.current.enter());
    expect(result.current.open).toBe(true);
    await act(() => result.current.leave());
    expect(bridge.calls.map((c) => c.channel)).toEqual(['service.lock']);
  });
});
