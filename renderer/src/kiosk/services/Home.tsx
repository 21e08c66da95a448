import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServiceListItemView } from '../../../../main/bridge/contract';
import { getBridge } from '../../bridge';
import { CATEGORY_ORDER, searchServices, type CatalogueCategory } from './form';
import { ServiceFrame } from './common';

/** The catalogue as main lists it for the person now: only what may be opened, most used first. */
export function useCatalogue(key: unknown): ServiceListItemView[] | null {
  const [list, setList] = useState<ServiceListItemView[] | null>(null);
  useEffect(() => {
    let alive = true;
    // Never show the list of the person (or nobody) before: it waits for this one's.
    setList(null);
    void getBridge()
      .call('kiosk.services', {})
      .then((r) => alive && setList(r.services.filter((s) => s.unavailable === null)))
      .catch(() => alive && setList([]));
    return () => {
      alive = false;
    };
  }, [key]);
  return list;
}

export function useServiceLabel(): (s: ServiceListItemView) => string {
  const { t, i18n } = useTranslation();
  return (s) => (s.screen ? t(`services.${s.screen}`, { defaultValue: s.name }) : i18n.language === 'en' ? s.en : s.name);
}

export function Tiles({ list, onOpen, few }: { list: ServiceListItemView[]; onOpen: (s: ServiceListItemView) => void; few: boolean }) {
  const label = useServiceLabel();
  const { t } = useTranslation();
  return (
    <nav className={`tiles services ${few ? 'few' : ''}`} aria-label={t('home.heading')}>
      {list.map((s) => (
        <button key={s.id} type="button" className="tile" onClick={() => onOpen(s)} data-testid={`tile-${s.id}`}>
          {label(s)}
        </button>
      ))}
    </nav>
  );
}

/** The categories under the most-used tiles, and the search. */
export function CategoryBar({ list, onCategory }: { list: ServiceListItemView[]; onCategory: (c: CatalogueCategory | null) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="categories" aria-label={t('home.more')} data-testid="categories">
      {CATEGORY_ORDER.filter((c) => list.some((s) => s.category === c)).map((c) => (
        <button key={c} type="button" onClick={() => onCategory(c)} data-testid={`category-${c}`}>
          {t(`services.categories.${c}`)} ({list.filter((s) => s.category === c).length})
        </button>
      ))}
      <button type="button" onClick={() => onCategory(null)} data-testid="category-search">
        {t('services.search')}
      </button>
    </nav>
  );
}

/** A category's services, or all of them filtered by what the resident types. */
export function CatalogueScreen({
  category,
  list,
  onOpen,
  onBack,
  elderly,
}: {
  category: CatalogueCategory | null;
  list: ServiceListItemView[];
  onOpen: (s: ServiceListItemView) => void;
  onBack: () => void;
  elderly: boolean;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const shown = category ? list.filter((s) => s.category === category) : searchServices(list, query);
  return (
    <ServiceFrame title={category ? t(`services.categories.${category}`) : t('services.search')} onBack={onBack} testId="catalogue">
      {!category && (
        <label className="field search">
          <span>{t('services.searchHint')}</span>
          <input
            type="search"
            autoFocus
            aria-label={t('services.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="service-search"
          />
        </label>
      )}
      {shown.length ? <Tiles list={shown} onOpen={onOpen} few={elderly} /> : <p role="status">{t('services.noMatch')}</p>}
    </ServiceFrame>
  );
}
