import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServiceFormView, ServiceResultView } from '../../../../main/bridge/contract';
import { getBridge } from '../../bridge';
import { codeOf, FaceCapture } from '../../face/FaceCapture';
import { PinPad } from '../PinPad';
import { Loading, ServiceFrame, type ServiceProps } from './common';
import { printCondition, usePrintJob } from './usePrintJob';
import { visibleFields } from './form';
import type { StepKey } from '../navigation';
import { useBusy } from '../../shell/busy';

type Values = Record<string, string | boolean>;

/**
 * Any catalogue service without a screen of its own: main sends the form (labels, options by
 * name, which fields depend on which), the resident fills it, main checks and answers with a
 * table, a card of lines or a message. Everything shown is text main made; nothing is decided here.
 */
export function ServiceForm({ id, onBack, say, onStep }: ServiceProps & { id: string; onStep?: (s: { steps: StepKey[]; at: StepKey }) => void }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const [form, setForm] = useState<ServiceFormView | null>(null);
  const [values, setValues] = useState<Values>({});
  const [error, setError] = useState<{ text: string; field: string | null } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [result, setResult] = useState<ServiceResultView | null>(null);
  const [busy, setBusy] = useState(false);
  const [verify, setVerify] = useState<'face' | 'pin' | null>(null);
  const [provenBy, setProvenBy] = useState<string | null>(null);
  const { job, follow } = usePrintJob();
  // 第 n 步: the form, a verification when main asks for one, the answer.
  const at: StepKey = result ? 'result' : verify ? 'verify' : 'fill';
  const verifies = form?.identity === 'verified';
  useEffect(() => {
    if (form)
      onStep?.({
        steps: form.fields.length ? ['fill', ...(verifies ? ['verify' as const] : []), 'result'] : ['result'],
        at: form.fields.length ? at : 'result',
      });
  }, [form, at, verifies]);
  // An answer awaited from the platform is the terminal's time, not the resident's.
  useBusy(busy, 'platform');
  const condition = printCondition(job);

  useEffect(() => {
    let alive = true;
    bridge
      .call('kiosk.serviceOpen', { id })
      .then((f) => {
        if (!alive) return;
        setForm(f);
        setValues(Object.fromEntries(f.fields.filter((x) => x.initial !== null).map((x) => [x.key, x.initial!])));
        say(f.prompt);
      })
      .catch((e: unknown) => alive && setLoadError(messageOf(e)));
    void bridge
      .call('session.get', {})
      .then((s) => alive && setProvenBy(s.session?.provenBy ?? null))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [id]);

  function messageOf(e: unknown): string {
    const err = e as { message?: string };
    const code = codeOf(e);
    // Main words these for the resident; the rest come from the message catalogue.
    if (['SERVICE_FORM_INVALID', 'SERVICE_NOT_ELIGIBLE', 'AUTH_VERIFICATION_REQUIRED'].includes(code)) return (err.message ?? '').replace(/^[A-Z_]+: /, '');
    return t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) });
  }

  const submit = async () => {
    if (!form || busy) return;
    setBusy(true);
    setError(null);
    try {
      const shown = new Set(visibleFields(form.fields, values).map((f) => f.key));
      const r = await bridge.call('kiosk.serviceSubmit', {
        ticket: form.ticket,
        values: Object.fromEntries(Object.entries(values).filter(([k]) => shown.has(k))),
      });
      setResult(r);
      say(r.message ?? r.title);
    } catch (e) {
      const code = codeOf(e);
      const details = (e as { details?: { path: string }[] }).details;
      const text = messageOf(e);
      setError({ text, field: details?.[0]?.path ?? null });
      say(text);
      if (code === 'AUTH_VERIFICATION_REQUIRED') setVerify(provenBy === 'ss-card' ? 'pin' : 'face');
    } finally {
      setBusy(false);
    }
  };

  const title = form?.name ?? t('common.loading');
  if (!form)
    return (
      <ServiceFrame title={title} onBack={onBack} testId={`service-${id}`}>
        <Loading error={null} />
        {loadError && (
          <p role="alert" className="error-text">
            {loadError}
          </p>
        )}
      </ServiceFrame>
    );

  if (verify === 'pin')
    return (
      <ServiceFrame title={form.name} onBack={onBack} testId={`service-${id}`}>
        <PinPad
          say={say}
          onCancel={() => setVerify(null)}
          onDone={() => {
            setVerify(null);
            void submit();
          }}
        />
      </ServiceFrame>
    );
  if (verify === 'face')
    return (
      <ServiceFrame title={form.name} onBack={onBack} testId={`service-${id}`}>
        <FaceCapture
          purpose="verify"
          actions={
            <button type="button" onClick={() => setVerify(null)}>
              {t('common.cancel')}
            </button>
          }
          onFinished={(o) => {
            setVerify(null);
            if (o.state === 'done' && o.match) void submit();
            else setError({ text: t(`errors.${o.error ?? 'FACE_NOT_MATCHED'}`, { defaultValue: t('errors.fallback', { code: o.error }) }), field: null });
          }}
        />
      </ServiceFrame>
    );

  if (result)
    return (
      <ServiceFrame title={form.name} onBack={onBack} testId={`service-${id}`}>
        <div className="service-result" data-testid="service-result" data-state={result.state}>
          {result.message && (
            <p role={result.state === 'refused' ? 'alert' : 'status'} className={result.state === 'refused' ? 'error-text' : 'ok-text'}>
              {result.message}
            </p>
          )}
          {result.columns && result.rows && result.rows.length > 0 && (
            <table className="result-table">
              <thead>
                <tr>
                  {result.columns.map((c) => (
                    <th key={c.key} scope="col">
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row, i) => (
                  <tr key={i}>
                    {result.columns!.map((c) => (
                      <td key={c.key}>{row[c.key]}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.fields && (
            <dl className="rows">
              {result.fields.map((f) => (
                <div key={f.label} className="row">
                  <dt>{f.label}</dt>
                  <dd>{f.value}</dd>
                </div>
              ))}
            </dl>
          )}
          {result.printable && !job && (
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={() =>
                  void bridge
                    .call('kiosk.servicePrint', { ticket: result.ticket })
                    .then((r) => follow(r.jobId))
                    .catch((e: unknown) => setError({ text: messageOf(e), field: null }))
                }
              >
                {t('services.print')}
              </button>
            </div>
          )}
          {job && (
            <p role={condition ? 'alert' : 'status'} className={condition ? 'error-text big' : 'ok-text big'} data-testid="print-state" data-state={job.state}>
              {job.state === 'done' ? t('services.printed') : condition ? t(`errors.${condition}`, { defaultValue: condition }) : t('certificate.printing')}
            </p>
          )}
          {error && (
            <p role="alert" className="error-text">
              {error.text}
            </p>
          )}
        </div>
      </ServiceFrame>
    );

  const fields = visibleFields(form.fields, values);
  const set = (k: string, v: string | boolean) => setValues((x) => ({ ...x, [k]: v }));
  return (
    <ServiceFrame title={form.name} onBack={onBack} testId={`service-${id}`}>
      <p className="prompt">{form.prompt}</p>
      <form
        className="service-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {fields.map((f) => {
          const invalid = error?.field === f.key;
          const common = { id: `f-${f.key}`, 'aria-invalid': invalid || undefined, 'aria-describedby': invalid ? 'form-error' : undefined };
          if (f.fixed)
            return (
              <div key={f.key} className="field fixed" data-testid={`fixed-${f.key}`}>
                <span className="label">{f.label}</span>
                <span className="value">{f.kind === 'select' ? (f.options?.find((o) => o.code === f.initial)?.name ?? f.initial) : f.initial}</span>
              </div>
            );
          if (f.kind === 'commit')
            return (
              <div key={f.key} className="commit">
                {f.help && <p className="commit-text">{f.help}</p>}
                <label className="check">
                  <input type="checkbox" {...common} checked={values[f.key] === true} onChange={(e) => set(f.key, e.target.checked)} /> {f.label}
                </label>
              </div>
            );
          return (
            <div key={f.key} className="field">
              <label htmlFor={`f-${f.key}`}>
                {f.label}
                {f.required ? ' *' : ''}
              </label>
              {f.kind === 'select' ? (
                <select {...common} value={String(values[f.key] ?? '')} onChange={(e) => set(f.key, e.target.value)}>
                  <option value="">{t('services.choose')}</option>
                  {f.options!.map((o) => (
                    <option key={o.code} value={o.code}>
                      {o.name}
                    </option>
                  ))}
                </select>
              ) : f.kind === 'textarea' ? (
                <textarea {...common} maxLength={f.maxLength} value={String(values[f.key] ?? '')} onChange={(e) => set(f.key, e.target.value)} />
              ) : (
                <input
                  {...common}
                  type={f.kind === 'date' ? 'date' : 'text'}
                  inputMode={['phone', 'year', 'money'].includes(f.kind) ? 'decimal' : undefined}
                  maxLength={f.maxLength}
                  value={String(values[f.key] ?? '')}
                  onChange={(e) => set(f.key, e.target.value)}
                />
              )}
              {f.help && <p className="hint">{f.help}</p>}
            </div>
          );
        })}
        {error && (
          <p role="alert" id="form-error" className="error-text" data-testid="form-error">
            {error.text}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {form.category === 'query' ? t('services.query') : t('services.submit')}
          </button>
        </div>
      </form>
    </ServiceFrame>
  );
}
