import { useTranslation } from 'react-i18next';
import type { LiveStatus } from '../shell/useStatus';

/** The technician's view. Self-tests and the readiness report arrive with issue #8. */
export function ServiceApp({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  return (
    <main className="service" data-testid="service">
      <h1>{t('service.heading')}</h1>
      <table>
        <tbody>
          {status.devices.map((d) => (
            <tr key={d.id}>
              <th scope="row">{t(`status.device.${d.kind}`)}</th>
              <td>{d.model}</td>
              <td>{d.port ?? '-'}</td>
              <td>{t(`status.state.${d.state}`)}</td>
              <td>{d.lastError ? `${d.lastError.code} ${d.lastError.at}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
