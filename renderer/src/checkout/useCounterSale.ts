import { useCallback, useEffect, useRef, useState } from 'react';
import type { RequestInput, RequestOutput } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';
import { useSession } from '../shell/useSession';
import { addPack, removeLine, removePack, type Basket } from './basket';

export type Drug = RequestOutput<'checkout.catalogue'>['drugs'][number];
export type Customer = NonNullable<RequestOutput<'checkout.customer'>['customer']>;
export type Quote = RequestOutput<'checkout.quote'>;
export type SaleView = RequestOutput<'checkout.pay'>;
export type Prescription = NonNullable<RequestInput<'checkout.quote'>['prescription']>;
export type MutualAid = RequestOutput<'checkout.mutualAid'>;
export interface BasketLine {
  drug: Drug;
  packs: number;
}

const NO_PRESCRIPTION: Prescription = { rxno: '', doctorCode: '', doctorName: '', external: false };
/** Outcomes of a pay in which no money moved: the basket can be corrected and quoted again. */
const UNPAID: readonly SaleView['state'][] = ['quoted', 'failed', 'expired', 'superseded'];
/** Refusals of a pay after which the shown quote can never be paid (closing a shift ends its quotes). */
const DEAD_QUOTE: readonly string[] = ['CHECKOUT_QUOTE_EXPIRED', 'CHECKOUT_NO_SUCH_QUOTE', 'CHECKOUT_NO_CUSTOMER', 'SHIFT_NOT_OPEN'];

export function isPaid(sale: SaleView): boolean {
  return !UNPAID.includes(sale.state);
}

/**
 * One customer's sale at the counter: the basket, the account flag, the prescription, the
 * customer main has identified, the quote and the outcome of paying it. A quote belongs to the
 * exact order and customer it was made for; main refuses an old one, so the screen never shows it.
 */
export function useCounterSale(onError: (code: string) => void) {
  const bridge = getBridge();
  const session = useSession();
  const report = useRef(onError);
  report.current = onError;
  const [drugs, setDrugs] = useState<Drug[]>([]);
  const [basket, setBasket] = useState<Basket>({});
  /** 药品追溯码 scanned for each drug's boxes, and the drug scanned last (a code belongs to its box). */
  const [traces, setTraces] = useState<Record<string, string[]>>({});
  const lastDrug = useRef<string | null>(null);
  const [useAccount, setUseAccount] = useState(true);
  const [prescription, setPrescription] = useState(NO_PRESCRIPTION);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [quote, setQuote] = useState<{ order: string; quote: Quote } | null>(null);
  const [sale, setSale] = useState<{ order: string; person: string | null; view: SaleView } | null>(null);
  /** 家庭共济 as main holds it for this customer: waiting for the account owner, the owner, or why not. */
  const [mutualAid, setMutualAid] = useState<MutualAid | null>(null);

  // A drug code the loaded catalogue does not know (yet) is neither shown nor sent.
  const lines: BasketLine[] = Object.entries(basket).flatMap(([listCode, packs]) => {
    const drug = drugs.find((d) => d.listCode === listCode);
    return drug ? [{ drug, packs }] : [];
  });
  const total = lines.reduce((sum, l) => sum + l.drug.price * l.packs, 0);
  const needsPrescription = lines.some((l) => l.drug.prescription);
  const prescriptionComplete = !!(prescription.rxno.trim() && prescription.doctorCode.trim() && prescription.doctorName.trim());
  const person = session ? `${session.startedAt}|${session.provenBy}|${session.maskedNo}` : null;
  const order: RequestInput<'checkout.quote'> = {
    items: lines.map((l) => {
      const codes = (traces[l.drug.listCode] ?? []).slice(0, l.packs);
      return { listCode: l.drug.listCode, quantity: l.packs, ...(codes.length ? { traceCodes: codes } : {}) };
    }),
    useAccount,
    ...(needsPrescription ? { prescription } : {}),
  };
  const orderKey = JSON.stringify([order, person, mutualAid?.owner?.maskedNo ?? null]);
  const paid = sale !== null && isPaid(sale.view);

  const startEmpty = useCallback(() => {
    setBasket({});
    setTraces({});
    lastDrug.current = null;
    setPrescription(NO_PRESCRIPTION);
    setUseAccount(true);
    setQuote(null);
    setSale(null);
  }, []);

  // Dropped while rendering, so a split for another basket or customer is never painted.
  if (quote && quote.order !== orderKey) setQuote(null);
  if (sale && !paid && sale.order !== orderKey) setSale(null);
  // A new customer at the counter after a paid sale: their sale starts empty.
  if (sale && paid && person !== null && sale.person !== person) startEmpty();

  useEffect(() => {
    bridge
      .call('checkout.catalogue', {})
      .then((r) => setDrugs(r.drugs))
      .catch((e: unknown) => report.current(codeOf(e)));
  }, [bridge]);

  // While main waits for the owner's credential, ask it how that stands (the credential arrives at main, not here).
  const waiting = !!mutualAid?.waiting;
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => {
      bridge
        .call('checkout.mutualAid', { action: 'status' })
        .then((s) => setMutualAid(s))
        .catch((e: unknown) => report.current(codeOf(e)));
    }, 500);
    return () => window.clearInterval(timer);
  }, [bridge, waiting]);

  useEffect(() => {
    setCustomer(null);
    setMutualAid(null);
    if (!person) return;
    let current = true;
    bridge
      .call('checkout.customer', {})
      .then((r) => current && setCustomer(r.customer))
      .catch((e: unknown) => current && report.current(codeOf(e)));
    return () => {
      current = false;
    };
  }, [bridge, person]);

  const nextCustomer = useCallback(async () => {
    startEmpty();
    await bridge.call('checkout.endCustomer', {});
  }, [bridge, startEmpty]);

  const paidNow = useRef(paid);
  paidNow.current = paid;
  /** A scan or a tile. After a paid sale the next drug is the next customer's first. */
  const add = useCallback(
    (listCode: string) => {
      if (paidNow.current) {
        paidNow.current = false;
        nextCustomer().catch((e: unknown) => report.current(codeOf(e)));
      }
      lastDrug.current = listCode;
      setBasket((b) => addPack(b, listCode));
    },
    [nextCustomer],
  );
  useEffect(() => bridge.on('checkout.scan', (e) => add(e.listCode)), [bridge, add]);
  useEffect(
    () =>
      bridge.on('checkout.trace', (e) => {
        const listCode = lastDrug.current;
        if (!listCode) return report.current('CHECKOUT_TRACE_NO_DRUG');
        setTraces((t) => {
          const codes = t[listCode] ?? [];
          return codes.includes(e.code) ? t : { ...t, [listCode]: [...codes, e.code] };
        });
      }),
    [bridge],
  );

  async function requestQuote() {
    const quotedFor = orderKey;
    const q = await bridge.call('checkout.quote', order);
    setSale(null);
    setQuote({ order: quotedFor, quote: q });
  }

  /** The cashier's reasons for going on despite the quote's audit warnings; main keeps them with the quote. */
  async function answerAudit(answers: { warningId: string; reason: string }[]) {
    if (!quote) return;
    const audit = await bridge.call('checkout.auditOverride', { quoteId: quote.quote.quoteId, answers });
    setQuote({ order: quote.order, quote: { ...quote.quote, audit } });
  }

  async function startMutualAid() {
    setMutualAid(await bridge.call('checkout.mutualAid', { action: 'await' }));
  }

  async function cancelMutualAid() {
    setMutualAid(await bridge.call('checkout.mutualAid', { action: 'cancel' }));
  }

  /**
   * Pays the shown quote: the cashier has confirmed that the customer saw and accepted its split
   * (and, for 共济, that the account owner did).
   */
  async function pay(ownerConfirmed = false) {
    if (!quote) return;
    const quotedLines = lines;
    try {
      const view = await bridge.call('checkout.pay', {
        quoteId: quote.quote.quoteId,
        cashierConfirmed: true,
        customerConfirmed: true,
        ...(ownerConfirmed ? { ownerConfirmed: true as const } : {}),
      });
      setQuote(null);
      setSale({ order: quote.order, person, view });
      // The basket shows what was paid, even if a drug was scanned while the pay was in flight.
      if (isPaid(view)) setBasket(Object.fromEntries(quotedLines.map((l) => [l.drug.listCode, l.packs])));
    } catch (e) {
      if (DEAD_QUOTE.includes(codeOf(e))) setQuote(null);
      throw e;
    }
  }

  return {
    drugs,
    lines,
    total,
    /** How many boxes of a drug have their 追溯码 scanned. */
    tracedOf: (listCode: string) => (traces[listCode] ?? []).length,
    add,
    removePack: (listCode: string) => setBasket((b) => removePack(b, listCode)),
    /** Takes the drug off the basket with the 追溯码 scanned for its boxes: the boxes go back to the shelf. */
    removeLine: (listCode: string) => {
      setBasket((b) => removeLine(b, listCode));
      setTraces(({ [listCode]: _gone, ...rest }) => rest);
      if (lastDrug.current === listCode) lastDrug.current = null;
    },
    useAccount,
    setUseAccount,
    needsPrescription,
    prescription,
    prescriptionComplete,
    changePrescription: (change: Partial<Prescription>) => setPrescription((p) => ({ ...p, ...change })),
    /** Whose session main holds, or null: what a quote and the face-payment state belong to. */
    person,
    customer,
    quote: quote?.order === orderKey ? quote.quote : null,
    requestQuote,
    answerAudit,
    mutualAid,
    startMutualAid,
    cancelMutualAid,
    pay,
    /** What paying the quote came to; kept on screen until the next customer. */
    outcome: sale?.view ?? null,
    paid,
    nextCustomer,
  };
}

export type CounterSale = ReturnType<typeof useCounterSale>;
