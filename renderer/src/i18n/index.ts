import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../../../main/bridge/contract';
import { zhCN } from './zh-CN';
import { en } from './en';

export const catalogs = { 'zh-CN': zhCN, en } as const;

export async function initI18n(locale: Locale): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    lng: locale,
    fallbackLng: 'zh-CN',
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = locale;
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  return i18next;
}
