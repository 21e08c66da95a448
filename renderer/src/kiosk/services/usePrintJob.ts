import { useEffect, useState } from 'react';
import { getBridge } from '../../bridge';
import { useBusy } from '../../shell/busy';

export interface PrintJob {
  id: string;
  state: string;
  /** Why the job waits (PRINTER_PAPER_OUT, …) or why its outcome is unknown (`PRINTER_OUTCOME_UNKNOWN: detail`). */
  reason: string | null;
}

/** The printer condition that holds a job up, or null. */
export function printCondition(job: PrintJob | null): string | null {
  return job?.reason?.split(':')[0] ?? null;
}

/** A print job followed on screen: polled until it is done or its fate is unknown. */
export function usePrintJob(): { job: PrintJob | null; follow: (jobId: string) => void } {
  const [job, setJob] = useState<PrintJob | null>(null);
  // No idle timeout while the paper is on its way (or waits for paper): the resident is waiting for it.
  useBusy(!!job && job.state !== 'done' && job.state !== 'unknown', 'print');
  useEffect(() => {
    if (!job || job.state === 'done' || job.state === 'unknown') return;
    const timer = window.setInterval(async () => {
      const s = await getBridge()
        .call('kiosk.printJob', { jobId: job.id })
        .catch(() => null);
      if (!s) return;
      setJob((j) => (j ? { ...j, ...s } : j));
    }, 400);
    return () => window.clearInterval(timer);
  }, [job]);
  return { job, follow: (jobId) => setJob({ id: jobId, state: 'queued', reason: null }) };
}
