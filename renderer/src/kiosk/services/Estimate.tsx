import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Rows, ServiceFrame, useLoad, type ServiceProps } from './common';
import { formatMoney, type RequestOutput } from '../../../../main/bridge/contract';

type EstimateView = RequestOutput<'kiosk.estimate'>;
import { addOne, basketLines, type Basket } from './basket';

/** 待遇测算: pick drugs, see what the fund would pay and what is left to pay. */
export function EstimateService({ onBack, say }: ServiceProps) {
  const { t } = useTranslation();
  const drugs = useLoad(() => getBridge().call('kiosk.catalogue', {}));
  const [basket, setBasket] = useState<Basket>({});
  const [result, setResult] = useState<EstimateView | null>(null);
  const lines = basketLines(basket);
  return (
    <ServiceFrame title={t('services.estimate')} onBack={onBack} testId="service-estimate">
      <p>{t('estimate.pick')}</p>
      <div className="tiles">
        {(drugs.data?.drugs ?? []).slice(0, 8).map((d) => (
          <button key={d.listCode} type="button" className="tile" onClick={() => setBasket((b) => addOne(b, d.listCode))}>
            {d.name} {formatMoney(d.price)}
            {basket[d.listCode] ? ` × ${basket[d.listCode]}` : ''}
          </button>
        ))}
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!lines.length}
          onClick={() =>
            void getBridge()
              .call('kiosk.estimate', { medType: '41', lines })
              .then((r) => {
                setResult(r);
                say(t('estimate.spoken', { cash: formatMoney(r.cash) }));
              })
          }
        >
          {t('estimate.run')}
        </button>
        <button type="button" onClick={() => (setBasket({}), setResult(null))}>
          {t('estimate.clear')}
        </button>
      </div>
      {result && (
        <div data-testid="estimate-result">
          <Rows
            rows={[[t('fields.total'), formatMoney(result.total)], ...result.tiers.map((tier): [string, string] => [tier.label, formatMoney(tier.amount)])]}
          />
          <p className="note">{t('estimate.note', { region: result.region })}</p>
        </div>
      )}
    </ServiceFrame>
  );
}
