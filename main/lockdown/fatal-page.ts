/**
 * The full-screen page a terminal shows when it cannot start (bad config, database refused,
 * services crash-looping): what happened in words a resident understands, what a technician
 * needs (code, time, where the logs are), and never a blank window. Served from the app origin
 * under the same CSP, so it has no script: a countdown-free page that main reloads or relaunches.
 */
import { maskIdNumbersIn } from '../bridge/contract/mask';

export interface FatalFacts {
  code: string;
  /** Technical detail for the technician; ID numbers in it are masked here as well. */
  detail: string;
  at: Date;
  terminalId: string | null;
  logDir: string | null;
  version: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const HINTS: Record<string, { zh: string; en: string }> = {
  CONFIG_INVALID: { zh: '终端配置有误，请技术人员检查配置文件。', en: 'The terminal configuration is invalid; a technician must correct it.' },
  SERVICES_CRASH_LOOP: { zh: '终端服务多次意外停止，请技术人员处理。', en: 'The terminal services stopped repeatedly; a technician is needed.' },
  UPDATING: { zh: '系统正在升级，请稍候，升级完成后自动恢复。', en: 'Updating; the terminal will be back shortly.' },
  STORE_INTEGRITY_FAILED: {
    zh: '本地数据库校验失败，请技术人员处理，切勿删除数据目录。',
    en: 'The local database failed its check; do not delete the data directory.',
  },
};

export function fatalPageHtml(f: FatalFacts, csp: string): string {
  const hint = HINTS[f.code] ?? { zh: '终端暂时无法使用，请技术人员处理。', en: 'The terminal cannot start; a technician is needed.' };
  const rows: [string, string][] = [
    ['错误代码 Code', f.code],
    ['时间 Time', f.at.toISOString()],
    ['终端 Terminal', f.terminalId ?? '—'],
    ['版本 Version', f.version],
    ['日志 Logs', f.logDir ?? '—'],
    ['详情 Detail', maskIdNumbersIn(f.detail).slice(0, 2000)],
  ];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>E-Station 暂停服务</title>
<style>
body{margin:0;min-height:100vh;display:flex;flex-direction:column;justify-content:center;align-items:center;background:#102a43;color:#fff;font:28px/1.5 "WenQuanYi Zen Hei","Noto Sans CJK SC",sans-serif}
h1{font-size:56px;margin:0 0 16px} p{margin:4px 0} table{margin-top:40px;font-size:18px;color:#d9e2ec;border-collapse:collapse;max-width:90vw}
th{text-align:right;padding:4px 16px;font-weight:normal;color:#9fb3c8;white-space:nowrap} td{padding:4px 16px;word-break:break-all}
</style></head>
<body data-fatal-code="${escapeHtml(f.code)}">
<h1>暂停服务</h1>
<p>${escapeHtml(hint.zh)}</p>
<p lang="en">Out of service. ${escapeHtml(hint.en)}</p>
<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
</body></html>`;
}
