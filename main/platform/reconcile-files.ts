/**
 * The files of detail reconciliation (3202): the terminal's detail file uploaded with 9101, and
 * the centre's verdict file fetched with 9102. Both are ZIPs of tab-separated UTF-8 text with
 * amounts in yuan; here they become rows with amounts in fen.
 */
import { fenToWire, yuanToFen, type Fen } from '../bridge/contract/money';
import { readZip, writeZip } from './zip';

export interface DetailRow {
  setlId: string;
  mdtrtId: string;
  psnNo: string;
  medfee: Fen;
  fund: Fen;
  acct: Fen;
  /** 2103/2208 refund rows: refd_setl_flag 1, amounts negative. */
  refund: boolean;
}

/** Column order: setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag. */
export function encodeDetailFile(name: string, rows: DetailRow[]): Buffer {
  const text = rows
    .map((x) => [x.setlId, x.mdtrtId, x.psnNo, fenToWire(x.medfee), fenToWire(x.fund), fenToWire(x.acct), x.refund ? '1' : '0'].join('\t'))
    .join('\n');
  return writeZip([{ name, data: Buffer.from(text, 'utf8') }]);
}

export interface VerdictRow {
  psnNo: string;
  mdtrtId: string;
  setlId: string;
  msgid: string;
  /** stmt_rslt: 0 agrees, 1 only the file has it, 2 only the centre has it, 3 differs. */
  result: string;
  refund: boolean;
  memo: string;
  medfee: Fen;
  fund: Fen;
  acct: Fen;
}

export class ReconcileFileError extends Error {
  readonly code = 'PLATFORM_MALFORMED_REPLY';
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileFileError';
  }
}

/** Column order: psn_no, mdtrt_id, setl_id, msgid, stmt_rslt, refd_setl_flag, memo, medfee, fund, acct. */
export function decodeVerdictFile(zip: Buffer): VerdictRow[] {
  let text: string;
  try {
    text = readZip(zip)[0]?.data.toString('utf8') ?? '';
  } catch (err) {
    throw new ReconcileFileError(`the verdict file is not a readable ZIP: ${(err as Error).message}`);
  }
  const amount = (v: string | undefined, line: number) => {
    try {
      return yuanToFen(v ?? '0');
    } catch {
      throw new ReconcileFileError(`verdict line ${line}: '${String(v).slice(0, 20)}' is not an amount`);
    }
  };
  return text
    .split('\n')
    .filter(Boolean)
    .map((l, i) => {
      const [psnNo = '', mdtrtId = '', setlId = '', msgid = '', result = '', flag = '', memo = '', medfee, fund, acct] = l.split('\t');
      return {
        psnNo,
        mdtrtId,
        setlId,
        msgid,
        result,
        refund: flag === '1',
        memo,
        medfee: amount(medfee, i + 1),
        fund: amount(fund, i + 1),
        acct: amount(acct, i + 1),
      };
    });
}
