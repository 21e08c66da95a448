import { useTranslation } from 'react-i18next';

/** The pharmacy counter. The basket and face checkout arrive with issue #8. */
export function CheckoutApp() {
  const { t } = useTranslation();
  return (
    <main className="checkout" data-testid="checkout">
      <h1>{t('app.checkoutTitle')}</h1>
      <p>{t('checkout.waiting')}</p>
    </main>
  );
}
