import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../main/bridge/contract';
import { MAX_PACKS } from './basket';
import type { CounterSale } from './useCounterSale';

/**
 * The basket: one line per drug in whole packs, changed with − / + and a delete button; drugs come
 * from the scanner or the catalogue tiles. `locked` while a pay runs and once the sale is paid.
 */
export function BasketPanel({ sale, locked, busy }: { sale: CounterSale; locked: boolean; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <section className="basket" aria-label={t('checkout.basket')}>
      <h2>{t('checkout.basket')}</h2>
      {sale.lines.length === 0 && <p className="hint">{t('checkout.waiting')}</p>}
      <ul className="list" data-testid="basket">
        {sale.lines.map(({ drug, packs }) => (
          <li key={drug.listCode} className="basket-line" data-testid={`line-${drug.listCode}`}>
            <span className="line-drug">
              {drug.name} {drug.spec}
              {drug.prescription && <span className="tag"> {t('checkout.rx')}</span>}
              <br />
              <span className="hint">
                {formatMoney(drug.price)} × {packs} = {formatMoney(drug.price * packs)}
              </span>
              {sale.tracedOf(drug.listCode) > 0 && (
                <span className="hint" data-testid={`traced-${drug.listCode}`}>
                  {' '}
                  {t('checkout.traced', { count: Math.min(sale.tracedOf(drug.listCode), packs), packs })}
                </span>
              )}
            </span>
            <span className="stepper">
              <button
                type="button"
                aria-label={`${t('checkout.less')} ${drug.name}`}
                disabled={locked || packs <= 1}
                onClick={() => sale.removePack(drug.listCode)}
              >
                −
              </button>
              <output aria-label={`${t('checkout.packs')} ${drug.name}`} data-testid={`packs-${drug.listCode}`}>
                {packs}
              </output>
              <button
                type="button"
                aria-label={`${t('checkout.more')} ${drug.name}`}
                disabled={locked || packs >= MAX_PACKS}
                onClick={() => sale.add(drug.listCode)}
              >
                +
              </button>
            </span>
            <button
              type="button"
              className="line-remove"
              aria-label={`${t('checkout.remove')} ${drug.name}`}
              disabled={locked}
              onClick={() => sale.removeLine(drug.listCode)}
            >
              {t('checkout.remove')}
            </button>
          </li>
        ))}
      </ul>
      <p className="big-number" data-testid="basket-total">
        {t('checkout.total')}: {formatMoney(sale.total)}
      </p>
      <details>
        <summary>{t('checkout.pick')}</summary>
        <div className="tiles">
          {sale.drugs.map((d) => (
            <button key={d.listCode} type="button" className="tile" disabled={busy} onClick={() => sale.add(d.listCode)}>
              {d.name} {formatMoney(d.price)}
              {d.prescription ? ` (${t('checkout.rx')})` : ''}
            </button>
          ))}
        </div>
      </details>
    </section>
  );
}
