import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../main/bridge/contract';
import { formatSelfPayShare, MAX_PACKS } from './basket';
import type { CounterSale } from './useCounterSale';

const COLUMNS = ['drug', 'classLevel', 'selfPay', 'price', 'packs', 'amount', 'remove'] as const;

/**
 * The basket: one table row per drug in whole packs, with its 医保目录 class and self-pay share as
 * main sends them, changed with − / + and a delete button; drugs come from the scanner or the
 * catalogue tiles. `locked` while a pay runs and once the sale is paid.
 */
export function BasketPanel({ sale, locked, busy }: { sale: CounterSale; locked: boolean; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <section className="basket" aria-label={t('checkout.basket')}>
      <h2>{t('checkout.basket')}</h2>
      {sale.lines.length === 0 ? (
        <p className="hint">{t('checkout.waiting')}</p>
      ) : (
        <table className="basket-table" data-testid="basket">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c} scope="col" className={`col-${c}`}>
                  {t(`checkout.column.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sale.lines.map(({ drug, packs }) => {
              const traced = sale.tracedOf(drug.listCode);
              return (
                <tr key={drug.listCode} data-testid={`line-${drug.listCode}`}>
                  <th scope="row" className="col-drug">
                    <span className="drug-name">{drug.name}</span>
                    <span className="drug-spec">
                      <span>{drug.spec}</span>
                      {drug.prescription && (
                        <>
                          {' '}
                          <span className="tag">{t('checkout.rx')}</span>
                        </>
                      )}
                    </span>
                    {traced > 0 && (
                      <span className="drug-spec" data-testid={`traced-${drug.listCode}`}>
                        {t('checkout.traced', { count: Math.min(traced, packs), packs })}
                      </span>
                    )}
                  </th>
                  <td className="col-classLevel" data-testid={`class-${drug.listCode}`}>
                    {t(`checkout.classLevel.${drug.classLevel}`)}
                  </td>
                  <td className="col-selfPay" data-testid={`share-${drug.listCode}`} data-label={t('checkout.column.selfPay')}>
                    {formatSelfPayShare(drug.selfPayBp)}
                  </td>
                  <td className="col-price" data-label={t('checkout.column.price')}>
                    {formatMoney(drug.price)}
                  </td>
                  <td className="col-packs">
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
                  </td>
                  <td className="col-amount" data-testid={`amount-${drug.listCode}`} data-label={t('checkout.column.amount')}>
                    {formatMoney(drug.price * packs)}
                  </td>
                  <td className="col-remove">
                    <button
                      type="button"
                      className="line-remove"
                      aria-label={`${t('checkout.remove')} ${drug.name}`}
                      disabled={locked}
                      onClick={() => sale.removeLine(drug.listCode)}
                    >
                      {t('checkout.remove')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
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
