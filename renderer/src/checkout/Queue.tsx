import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, type RequestOutput } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';
import { useReasonText, type RunAction } from './common';

/** Kept with the item in main when the cashier marks a difference as collected. */
const RESOLVED_NOTE = '收银台已补收';

/** What is not finished with the platform: to upload, unknown, or waiting for the cashier. */
export function QueueTab({ run, busy, onError }: { run: RunAction; busy: boolean; onError: (code: string) => void }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const reasonText = useReasonText();
  const [queue, setQueue] = useState<RequestOutput<'checkout.queue'> | null>(null);
  // Refreshed in the background on every queue change: not an action, so it neither blocks the buttons nor clears an error.
  const load = useCallback(
    () =>
      bridge
        .call('checkout.queue', {})
        .then(setQueue)
        .catch((e: unknown) => onError(codeOf(e))),
    [bridge, onError],
  );
  useEffect(() => {
    void load();
    return bridge.on('status.queue', () => void load());
  }, [bridge, load]);
  return (
    <section data-testid="queue">
      <p data-testid="queue-counts">
        {t('queue.counts', { pending: queue?.pending ?? 0, unknown: queue?.unknown ?? 0, attention: queue?.needsAttention ?? 0 })}
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await bridge.call('checkout.drain', {});
              await load();
            })
          }
        >
          {t('queue.drain')}
        </button>
      </div>
      <ul className="list">
        {(queue?.attention ?? []).map((a) => (
          <li key={a.itemId} data-testid={`attention-${a.itemId}`}>
            {t(`queue.${a.state}`, { defaultValue: a.state })}
            {a.reason && ` · ${reasonText(a.reason)}`}
            {a.collect !== null && ` · ${t('queue.collect', { amount: formatMoney(a.collect) })}`}{' '}
            {a.state === 'needs-attention' && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await bridge.call('checkout.resolve', { itemId: a.itemId, note: RESOLVED_NOTE });
                    await load();
                  })
                }
              >
                {t('queue.resolve')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
