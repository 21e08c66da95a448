import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { getBridge } from './bridge';
import { initI18n } from './i18n';
import { App } from './App';
// The CJK font ships with the app (Noto Sans SC, OFL-1.1), so the screens look the same on every
// machine whatever fonts it has: simplified Chinese and Latin, regular and bold.
import '@fontsource/noto-sans-sc/chinese-simplified-400.css';
import '@fontsource/noto-sans-sc/chinese-simplified-700.css';
import '@fontsource/noto-sans-sc/latin-400.css';
import '@fontsource/noto-sans-sc/latin-700.css';
import './styles.css';

async function boot(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  try {
    const info = await getBridge().call('app.hello', {});
    const i18n = await initI18n(info.locale);
    root.render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          <App info={info} />
        </I18nextProvider>
      </StrictMode>,
    );
  } catch {
    // No bridge: a plain bilingual notice, never a stack trace.
    root.render(
      <main className="fatal" role="alert">
        <h1>终端暂时无法使用 / Terminal unavailable</h1>
        <p>请联系工作人员 / Please ask staff for help</p>
      </main>,
    );
  }
}

void boot();
