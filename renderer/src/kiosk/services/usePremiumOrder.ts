import { useEffect, useState } from 'react';
import { getBridge } from '../../bridge';
import type { RequestOutput } from '../../../../main/bridge/contract';

export type PremiumOrder = RequestOutput<'kiosk.premiumOrder'>;

/** The premium order on screen: polled while unpaid, until the phone payment lands or it expires. */
export function usePremiumOrder(): { order: PremiumOrder | null; show: (order: PremiumOrder) => void } {
  const [order, setOrder] = useState<PremiumOrder | null>(null);
  useEffect(() => {
    if (!order || order.state !== 'unpaid') return;
    const timer = window.setInterval(async () => {
      const o = await getBridge()
        .call('kiosk.premiumOrder', { orderId: order.orderId })
        .catch(() => null);
      if (o && o.state !== order.state) setOrder((x) => (x ? { ...x, ...o } : x));
    }, 1500);
    return () => window.clearInterval(timer);
  }, [order]);
  return { order, show: setOrder };
}
