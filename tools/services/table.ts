/**
 * The README's table of kiosk services, made from the catalogue's declarations so it cannot drift:
 * `npx tsx tools/services/table.ts` prints it; tools/services/table.test.ts checks the README holds
 * exactly this table between its markers.
 */
import { DECLARATIONS } from '../../main/kiosk/catalogue/declarations';
import type { ServiceDecl } from '../../main/kiosk/catalogue/types';

/** The transactions behind the services with a screen of their own (their screens call these). */
const OWN_SCREEN_TRANSACTIONS: Record<string, string> = {
  info: '1101',
  account: '1101',
  records: '5201, 5203, 5204',
  contributions: 'X5401',
  premium: 'X2701, X2702',
  certificate: '1101, X9301',
  cumulative: '5206',
  chronic: '2503, 2504, 5301',
  designated: '2505, 2506, 5302',
  transfer: '2501, 2502',
  family: 'X2801, X2802, X5801',
  auth: 'X2901, X2902, X5901, X5902, X9301',
  estimate: '— (policy engine)',
  policy: '— (local text)',
};

const CATEGORY: Record<ServiceDecl['category'], string> = { query: '查询', apply: '办理', pay: '缴费', print: '打印', auth: '授权' };
const IDENTITY: Record<ServiceDecl['identity'], string> = { public: '不需登录', card: '刷卡/码/脸', verified: '刷脸或社保卡密码确认' };

export function servicesTable(): string {
  const rows = [...DECLARATIONS].sort((a, b) => a.row - b.row || a.id.localeCompare(b.id));
  const lines = [
    `| Row | 服务 | Category | Identity | Platform transactions | Screen |`,
    `|---|---|---|---|---|---|`,
    ...rows.map((d) => {
      const tx = d.tx ? `${d.tx.infno}${d.tx.record ? ' (via outbox)' : ''}` : (OWN_SCREEN_TRANSACTIONS[d.id] ?? '—');
      return `| ${d.row} | ${d.name} | ${CATEGORY[d.category]} | ${IDENTITY[d.identity]} | ${tx} | ${d.screen ? `own (${d.screen})` : 'generic form'} |`;
    }),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${servicesTable()}\n`);
