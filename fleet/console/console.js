/* global window, document, sessionStorage, history, location, fetch, TextDecoderStream, setInterval, CSS */
/**
 * The fleet console page: plain browser JavaScript, no build step. The token arrives in the URL
 * fragment (`#token=`, never sent to a server), moves to sessionStorage and leaves the address
 * bar. Every API call carries it as a bearer token, the event stream too (read with fetch, since
 * EventSource cannot send a header). The page refreshes what changed when the server says so; it
 * never polls. Everything shown is set as text, never as HTML.
 */

const TOKEN_KEY = 'estation.fleet.token';

function takeToken() {
  const m = /(?:^|[#&])token=([0-9a-f]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const token = takeToken();
const $ = (id) => document.getElementById(id);

const DEVICE_NAMES = {
  printer: '打印机',
  scanner: '扫码器',
  'id-card': '身份证读卡器',
  'ss-card': '社保卡读卡器',
  camera: '摄像头',
  'pin-pad': '密码键盘',
};
const DEVICE_STATES = { opening: '连接中', ready: '正常', busy: '使用中', warning: '警告', fault: '故障', absent: '断开' };
const PAPER = { ok: ['正常', 'ok'], 'near-end': ['将尽', 'warn'], out: ['缺纸', 'bad'] };
const PLATFORM = { online: '在线', offline: '离线', unknown: '未知' };
const MODES = { checkout: '门店', kiosk: '服务大厅', service: '维护' };
const COMMANDS = [
  ['self-test', '自检'],
  ['readiness', '就绪报告'],
  ['drain-queue', '立即上传'],
  ['out-of-service', '暂停服务'],
  ['in-service', '恢复服务'],
  ['answer-help', '已应答呼叫'],
  ['restart', '重启'],
];
const COMMAND_NAMES = Object.fromEntries(COMMANDS);
const CONFIRM = { restart: '确定要重启这台终端吗？正在办理的业务会中断。', 'out-of-service': '确定要暂停这台终端的服务吗？暂停后不能办理业务。' };
const COMMAND_STATES = { sent: '已发送，等待终端', done: '完成', failed: '失败', expired: '已过期', refused: '终端拒绝' };

const state = {
  terminals: [],
  /** Server time minus this page's time, so ages are counted on the server's clock. */
  skew: 0,
  selected: null,
  /** Ids of the terminals drawn as silent, to redraw when one falls silent or speaks again. */
  silentShown: '',
  detail: null,
  /** The textarea was edited since it last showed the desired config. */
  dirty: false,
  shownDesiredVersion: null,
  /** The chains whose shared faces are drawn. */
  facesChains: null,
};

// ---- API ----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : 'HTTP_' + status;
    this.problems = (body && body.error && body.error.problems) || [];
  }
}

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body, cache: 'no-store' });
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) showProblem('访问令牌无效或已过期：请用服务器数据目录里 console-url 文件中的地址重新打开本页。');
    throw new ApiError(res.status, json);
  }
  return json;
}

function noteNow(iso) {
  const t = Date.parse(iso);
  if (Number.isFinite(t)) state.skew = t - Date.now();
}

// ---- formatting ---------------------------------------------------------------------------

function ago(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((Date.now() + state.skew - t) / 1000));
  if (s < 5) return '刚刚';
  if (s < 60) return `${s} 秒前`;
  if (s < 3600) return `${Math.floor(s / 60)} 分钟前`;
  if (s < 86400) return `${Math.floor(s / 3600)} 小时前`;
  return `${Math.floor(s / 86400)} 天前`;
}

function clock(iso) {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleString('zh-CN', { hour12: false }) : '—';
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** A relative time that the page keeps current (every few seconds, from what it already has). */
function since(iso, prefix = '', suffix = '') {
  return el('span', { class: 'since', 'data-since': iso, 'data-prefix': prefix, 'data-suffix': suffix, text: `${prefix}${ago(iso)}${suffix}` });
}

/** Online by its last word, but nothing heard for the periods the server allows (its silentAfter). */
function isSilent(t) {
  return Boolean(t.presence && t.presence.state === 'online' && t.silentAfter && Date.parse(t.silentAfter) < Date.now() + state.skew);
}

/** The ids of the silent terminals now, as one string to compare with what was drawn. */
function silentIds() {
  return state.terminals
    .filter(isSilent)
    .map((t) => t.id)
    .join(' ');
}

function presenceState(t) {
  if (!t.presence) return 'never';
  return isSilent(t) ? 'silent' : t.presence.state;
}

function presenceCell(t) {
  const p = t.presence;
  if (!p) return [el('span', { class: 'badge', 'data-tone': 'none', text: '从未上线' })];
  if (p.state === 'offline') return [el('span', { class: 'badge', 'data-tone': 'bad', text: '离线' }), ' ', since(p.receivedAt, '（', '断开）')];
  if (isSilent(t)) {
    const last = t.health && t.health.receivedAt > p.receivedAt ? t.health.receivedAt : p.receivedAt;
    return [el('span', { class: 'badge', 'data-tone': 'bad', text: '失联' }), ' ', since(last, '（最后上报 ', '）')];
  }
  const out = [el('span', { class: 'badge', 'data-tone': 'ok', text: '在线' })];
  if (t.health && t.health.outOfService) out.push(' ', el('span', { class: 'badge', 'data-tone': 'warn', text: '暂停服务' }));
  if (t.health && t.health.help) {
    const h = t.health.help;
    out.push(
      ' ',
      el(
        'span',
        { class: 'badge', 'data-tone': 'bad', 'data-testid': `help-${t.id}`, title: `页面 ${h.screen}，按了 ${h.presses} 次` },
        '呼叫工作人员 ',
        since(h.at),
      ),
    );
  }
  out.push(' ', since(t.health ? t.health.receivedAt : p.receivedAt, '（', t.health ? '上报）' : '上线）'));
  return out;
}

function paperOf(h) {
  if (!h) return ['—', 'none'];
  if (h.paper === null) return ['无打印机', 'none'];
  return PAPER[h.paper] || [h.paper, 'none'];
}

function devicesText(h) {
  if (!h) return { text: '—', tone: 'none' };
  const bad = h.devices.filter((d) => d.state !== 'ready' && d.state !== 'busy');
  if (!bad.length) return { text: '正常', tone: 'ok' };
  const text = bad.map((d) => `${DEVICE_NAMES[d.id] || d.id} ${DEVICE_STATES[d.state] || d.state}`).join('，');
  return { text, tone: bad.some((d) => d.state === 'fault' || d.state === 'absent') ? 'bad' : 'warn' };
}

function queueCell(h) {
  if (!h) return ['—'];
  const q = h.queue;
  if (!q.pending && !q.unknown && !q.needsAttention) return ['无'];
  const out = [`${q.pending} 笔`];
  if (q.oldestPendingAt) out.push('，', since(q.oldestPendingAt, '最早 '));
  if (q.unknown) out.push(`，结果未知 ${q.unknown}`);
  if (q.needsAttention) out.push(el('span', { 'data-tone': 'bad-text', text: `，需处理 ${q.needsAttention}` }));
  return out;
}

function configText(t) {
  const d = t.desired;
  const r = t.reported;
  if (!d) return { text: r && r.inForce ? `本地配置（终端用 v${r.inForce}）` : '本地配置', tone: 'none' };
  if (r && r.version === d.version) {
    if (r.state === 'applied') return { text: `v${d.version} 已应用`, tone: 'ok' };
    const code = r.error ? r.error.code : '未知原因';
    return { text: `v${d.version} 已拒绝（${code}），仍用 v${r.inForce}`, tone: 'bad' };
  }
  return { text: `v${d.version} 待应用${r ? `（终端用 v${r.inForce}）` : ''}`, tone: 'warn' };
}

// ---- the list -----------------------------------------------------------------------------

function groupKind(list) {
  const modes = new Set(list.map((t) => t.presence && t.presence.mode).filter(Boolean));
  return modes.size === 1 ? MODES[[...modes][0]] || '' : '';
}

function renderList() {
  state.silentShown = silentIds();
  const focused = document.activeElement && document.activeElement.getAttribute('data-testid');
  const groups = new Map();
  for (const t of state.terminals) {
    const key = t.group || '未分组';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(t);
  }
  const root = $('groups');
  root.replaceChildren();
  $('empty').hidden = state.terminals.length > 0;
  for (const [name, list] of groups) {
    const kind = groupKind(list);
    const section = el('section', { class: 'group', 'data-testid': `group-${name}` });
    section.append(el('h2', {}, name, kind ? el('span', { class: 'group-kind', text: kind }) : null));
    const table = el('table', { class: 'terminals' });
    table.append(
      el('thead', {}, el('tr', {}, ...['终端号', '状态', '打印纸', '设备', '待上传', '版本', '配置版本'].map((h) => el('th', { scope: 'col', text: h })))),
    );
    const body = el('tbody');
    for (const t of list) {
      const h = t.health;
      const [paper, paperTone] = paperOf(h);
      const dev = devicesText(h);
      const cfg = configText(t);
      const row = el('tr', { 'data-testid': `terminal-${t.id}`, class: state.selected === t.id ? 'selected' : null });
      row.append(
        el(
          'td',
          {},
          el('button', {
            type: 'button',
            class: 'id-button',
            'data-testid': `open-${t.id}`,
            'aria-label': `终端 ${t.id} 的详情`,
            text: t.id,
            onclick: () => select(t.id),
          }),
          t.chain ? el('div', { class: 'since', text: `连锁 ${t.chain}` }) : null,
        ),
        el('td', { 'data-testid': `state-${t.id}`, 'data-state': presenceState(t) }, ...presenceCell(t)),
        el(
          'td',
          { 'data-testid': `paper-${t.id}`, 'data-state': h ? h.paper || 'none' : 'unknown' },
          el('span', { class: 'badge', 'data-tone': paperTone, text: paper }),
        ),
        el('td', { 'data-testid': `devices-${t.id}`, 'data-tone': dev.tone === 'bad' ? 'bad-text' : null, text: dev.text }),
        el('td', { 'data-testid': `queue-${t.id}` }, ...queueCell(h)),
        el('td', { 'data-testid': `version-${t.id}`, text: (t.presence && t.presence.version) || (h && h.version) || '—' }),
        el('td', { 'data-testid': `config-${t.id}`, 'data-state': cfg.tone }, el('span', { class: 'badge', 'data-tone': cfg.tone, text: cfg.text })),
      );
      body.append(row);
    }
    table.append(body);
    section.append(table);
    root.append(section);
  }
  if (focused) {
    const again = document.querySelector(`[data-testid="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

// ---- the detail panel ---------------------------------------------------------------------

function renderHistory(history) {
  const body = document.querySelector('[data-testid="history"] tbody');
  body.replaceChildren(
    ...history.map((h) => {
      const dev = devicesText(h);
      return el(
        'tr',
        {},
        el('td', { text: clock(h.receivedAt) }),
        el('td', { text: dev.text }),
        el('td', { text: paperOf(h)[0] }),
        el('td', {}, ...queueCell(h)),
        el('td', { text: PLATFORM[h.platform] || h.platform }),
        el('td', { text: h.configVersion ? `v${h.configVersion}` : '本地' }),
        el('td', { text: h.outOfService ? '暂停' : '正常' }),
      );
    }),
  );
  if (!history.length) body.append(el('tr', {}, el('td', { colspan: '7', text: '还没有健康报告' })));
}

function commandSummary(c) {
  const r = c.result;
  if (c.state === 'sent') return Date.parse(c.expiresAt) < Date.now() + state.skew ? '未答复，已过期' : '';
  if (!r) return '';
  if (r.error) return `${r.error.code}：${r.error.message}`;
  const v = r.result || {};
  switch (c.kind) {
    case 'self-test':
      return `通过 ${v.passed ?? 0} 项${v.failed && v.failed.length ? `，未通过：${v.failed.map((f) => `${DEVICE_NAMES[f.id] || f.id}（${f.code}）`).join('，')}` : ''}`;
    case 'readiness':
      return v.ready
        ? '就绪'
        : `未就绪${v.failedDevices && v.failedDevices.length ? `：${v.failedDevices.map((f) => DEVICE_NAMES[f.id] || f.id).join('，')}` : ''}`;
    case 'drain-queue':
      return `上传 ${v.delivered ?? 0} 笔，剩 ${v.queue ? v.queue.pending : '?'} 笔`;
    case 'out-of-service':
      return '已暂停服务';
    case 'in-service':
      return '已恢复服务';
    case 'answer-help':
      return v.ended ? '呼叫已结束' : '没有待应答的呼叫';
    case 'restart':
      return '正在重启';
    default:
      return '';
  }
}

function renderCommands(commands) {
  const latest = {};
  for (const c of commands) if (!latest[c.kind]) latest[c.kind] = c;
  for (const [kind] of COMMANDS) {
    const s = $(`cmd-state-${kind}`);
    const c = latest[kind];
    s.textContent = c ? `${COMMAND_STATES[c.state] || c.state}${c.state === 'sent' ? '' : ` · ${ago(c.finishedAt || c.issuedAt)}`}` : '';
    s.setAttribute('data-state', c ? c.state : 'none');
  }
  const body = document.querySelector('[data-testid="commands"] tbody');
  body.replaceChildren(
    ...commands.map((c) =>
      el(
        'tr',
        { 'data-testid': `command-${c.id}`, 'data-state': c.state },
        el('td', { text: COMMAND_NAMES[c.kind] || c.kind }),
        el('td', { text: clock(c.issuedAt) }),
        el('td', { 'data-tone': c.state === 'done' ? 'ok-text' : c.state === 'sent' ? null : 'bad-text', text: COMMAND_STATES[c.state] || c.state }),
        el('td', { text: commandSummary(c) }),
      ),
    ),
  );
  if (!commands.length) body.append(el('tr', {}, el('td', { colspan: '4', text: '还没有发过命令' })));
}

function desiredText() {
  const d = state.detail && state.detail.terminal.desired;
  return JSON.stringify(d ? d.config : {}, null, 2);
}

function renderDetail() {
  const d = state.detail;
  if (!d) return;
  const t = d.terminal;
  $('detail').hidden = false;
  $('detail-title').textContent = `终端 ${t.id}${t.group ? ` · ${t.group}` : ''}`;
  renderHistory(d.history);
  renderCommands(d.commands);
  $('config-current').textContent = t.desired ? `当前期望配置：v${t.desired.version}` : '当前期望配置：无（终端只用本地配置文件）';
  const rep = $('config-reported');
  rep.replaceChildren();
  if (t.reported) {
    const r = t.reported;
    if (r.state === 'applied') {
      rep.append(
        el('span', { 'data-tone': 'ok-text', text: `终端已应用 v${r.version}` }),
        r.live.length ? `；即时生效：${r.live.join('，')}` : '',
        r.atRestart.length ? `；下次启动生效：${r.atRestart.join('，')}` : '',
      );
    } else {
      rep.append(el('span', { 'data-tone': 'bad-text', text: `终端拒绝了 v${r.version}（${r.error ? r.error.code : '未知原因'}），仍用 v${r.inForce}` }));
      if (r.error && r.error.problems.length) rep.append(problemList(r.error.problems));
      else if (r.error) rep.append(el('div', { text: r.error.message }));
    }
  } else rep.textContent = '终端还没有报告配置';
  const version = t.desired ? t.desired.version : 0;
  if (!state.dirty && state.shownDesiredVersion !== version) {
    $('config-editor').value = desiredText();
    state.shownDesiredVersion = version;
    renderDiff();
  }
  for (const row of document.querySelectorAll('[data-testid^="terminal-"]'))
    row.classList.toggle('selected', row.getAttribute('data-testid') === `terminal-${t.id}`);
}

function problemList(problems) {
  return el('ul', { class: 'problems', 'data-testid': 'problems' }, ...problems.map((p) => el('li', { text: `${p.key}：${p.expected}` })));
}

/** Leaf paths of a config patch ("ui.idleTimeoutSeconds") with their values; arrays and scalars are leaves. */
function leaves(v, prefix = '', out = new Map()) {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (!keys.length && prefix) out.set(prefix, '{}');
    for (const k of keys) leaves(v[k], prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** The edited patch against the desired config in force; null when it is not a JSON object. */
function parseEditor() {
  let value;
  try {
    value = JSON.parse($('config-editor').value);
  } catch (err) {
    return { error: `不是有效的 JSON：${err.message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: '期望配置必须是一个 JSON 对象，例如 {"ui": {"idleTimeoutSeconds": 90}}' };
  return { value };
}

function renderDiff() {
  const box = $('config-diff');
  box.replaceChildren();
  const parsed = parseEditor();
  $('config-send').disabled = !!parsed.error;
  if (parsed.error) return box.append(el('p', { 'data-tone': 'bad-text', text: parsed.error }));
  const before = leaves(state.detail && state.detail.terminal.desired ? state.detail.terminal.desired.config : {});
  const after = leaves(parsed.value);
  const lines = [];
  for (const [k, v] of after) {
    if (!before.has(k)) lines.push(['added', `新增 ${k} = ${v}`]);
    else if (before.get(k) !== v) lines.push(['changed', `修改 ${k}：${before.get(k)} → ${v}`]);
  }
  for (const [k, v] of before) if (!after.has(k)) lines.push(['removed', `移除 ${k}（原为 ${v}，恢复终端本地配置）`]);
  const version = state.detail && state.detail.terminal.desired ? `v${state.detail.terminal.desired.version}` : '本地配置';
  if (!lines.length) return box.append(el('p', { text: `与当前期望配置（${version}）相同` }));
  box.append(el('p', { text: `与当前期望配置（${version}）相比：` }), el('ul', {}, ...lines.map(([kind, text]) => el('li', { 'data-diff': kind, text }))));
}

async function sendConfig() {
  const parsed = parseEditor();
  const out = $('config-result');
  if (parsed.error) return;
  const id = state.selected;
  $('config-send').disabled = true;
  out.replaceChildren(el('span', { text: '正在发送…' }));
  try {
    const r = await api('PUT', `/api/terminals/${encodeURIComponent(id)}/config`, JSON.stringify(parsed.value));
    state.dirty = false;
    out.replaceChildren(el('span', { 'data-tone': 'ok-text', 'data-state': 'sent', text: `已发送为 v${r.version}，等待终端应用` }));
    await refreshDetail();
  } catch (err) {
    const box = [el('span', { 'data-tone': 'bad-text', 'data-state': 'refused', text: `服务器拒绝了这份配置（${err.code || '错误'}）：${err.message}` })];
    if (err.problems && err.problems.length) box.push(problemList(err.problems));
    out.replaceChildren(...box);
  } finally {
    $('config-send').disabled = !!parseEditor().error;
  }
}

async function sendCommand(kind) {
  if (CONFIRM[kind] && !window.confirm(CONFIRM[kind])) return;
  const id = state.selected;
  const s = $(`cmd-state-${kind}`);
  s.textContent = '正在发送…';
  try {
    await api('POST', `/api/terminals/${encodeURIComponent(id)}/commands`, JSON.stringify({ kind }));
    await refreshDetail();
  } catch (err) {
    s.textContent = `发送失败（${err.code || '错误'}）：${err.message}`;
    s.setAttribute('data-state', 'error');
  }
}

async function select(id) {
  if (state.selected !== id) {
    state.selected = id;
    state.detail = null;
    state.dirty = false;
    state.shownDesiredVersion = null;
    $('config-result').replaceChildren();
  }
  await refreshDetail();
  $('detail-title').focus();
}

// ---- refreshing ---------------------------------------------------------------------------

function coalesced(fn) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await fn();
        } catch (err) {
          if (!(err instanceof ApiError)) showProblem(`刷新失败：${err.message}`);
        }
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
  return run;
}

const refreshList = coalesced(async () => {
  const r = await api('GET', '/api/terminals');
  noteNow(r.now);
  state.terminals = r.terminals;
  renderList();
  renderGroupChoices();
  // The chains' shared faces: drawn again when a chain appears or goes (their own changes come as events).
  const chains = [...new Set(state.terminals.map((t) => t.chain).filter(Boolean))].sort().join(',');
  if (chains !== state.facesChains) {
    state.facesChains = chains;
    void refreshFaces();
  }
});

const refreshDetail = coalesced(async () => {
  const id = state.selected;
  if (!id) return;
  const r = await api('GET', `/api/terminals/${encodeURIComponent(id)}`);
  if (state.selected !== id) return;
  noteNow(r.now);
  state.detail = r;
  renderDetail();
});

// ---- rollouts -----------------------------------------------------------------------------

const UPDATE_STATES = {
  pending: '未发送',
  sent: '已发送',
  waiting: '等待业务结束',
  downloading: '下载中',
  switching: '切换中',
  committed: '已完成',
  'rolled-back': '已回滚',
  refused: '终端拒绝',
  failed: '失败',
  cancelled: '已撤回',
};

function rolloutStatus(r) {
  if (r.aborted) return ['已中止', 'bad'];
  if (r.summary.done) return ['已完成', 'ok'];
  return ['进行中', 'warn'];
}

function renderRollouts(list) {
  const body = document.querySelector('[data-testid=rollout-list] tbody');
  body.replaceChildren();
  $('rollouts-empty').hidden = list.length > 0;
  for (const r of list) {
    const [label, tone] = rolloutStatus(r);
    const terminals = el('ul', { class: 'rollout-terminals' });
    for (const t of r.terminals) {
      // A terminal's own last word (waiting, downloading…) while its job runs; the planner's word once it ended.
      const word = t.state === 'sent' && t.last ? t.last.state : t.state;
      const why = t.last && t.last.error ? `（${t.last.error.code}：${t.last.error.message}）` : t.last && t.last.detail ? `（${t.last.detail}）` : '';
      terminals.append(el('li', { 'data-testid': `ro-${r.id}-${t.id}`, 'data-state': word, text: `${t.id}：${UPDATE_STATES[word] || word}${why}` }));
    }
    const abort =
      r.aborted || r.summary.done
        ? null
        : el('button', {
            type: 'button',
            'data-testid': `ro-abort-${r.id}`,
            text: '中止',
            onclick: () => {
              if (window.confirm(`确定要中止 ${r.version} 的发布吗？已发出的终端仍会各自完成或回滚。`))
                void api('POST', `/api/rollouts/${encodeURIComponent(r.id)}/abort`).then(refreshRollouts, (e) => showProblem(`中止失败：${e.message}`));
            },
          });
    body.append(
      el(
        'tr',
        { 'data-testid': `rollout-${r.id}`, 'data-version': r.version },
        el('td', { text: r.version }),
        el('td', { text: r.group || '全部终端' }),
        el('td', { 'data-testid': `ro-waves-${r.id}`, text: r.waves.length ? r.waves.join(' → ') + ' 台' : '—' }),
        el('td', null, el('span', { class: 'badge', 'data-tone': tone, 'data-testid': `ro-state-${r.id}`, 'data-state': label, text: label })),
        el('td', null, terminals),
        el('td', null, abort),
      ),
    );
  }
}

function renderGroupChoices() {
  const select = $('ro-group');
  const chosen = select.value;
  const groups = [...new Set(state.terminals.map((t) => t.group).filter(Boolean))].sort();
  select.replaceChildren(el('option', { value: '', text: '全部终端' }), ...groups.map((g) => el('option', { value: g, text: g })));
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

async function startRollout() {
  const n = (id) => Number($(id).value);
  const body = {
    version: $('ro-version').value.trim(),
    group: $('ro-group').value || null,
    canaryPercent: n('ro-canary'),
    growth: n('ro-growth'),
    abortFailurePercent: n('ro-fail'),
    abortMinFinished: n('ro-min'),
    windowSeconds: n('ro-window'),
  };
  const out = $('ro-result');
  try {
    await api('POST', '/api/rollouts', JSON.stringify(body));
    out.replaceChildren(el('span', { 'data-tone': 'ok-text', 'data-state': 'started', text: `已开始发布 ${body.version}` }));
  } catch (e) {
    const box = [el('span', { 'data-tone': 'bad-text', 'data-state': 'refused', text: `未能开始（${e.code || '错误'}）：${e.message}` })];
    if (e.problems && e.problems.length) box.push(problemList(e.problems));
    out.replaceChildren(...box);
  }
  void refreshRollouts();
}

const refreshRollouts = coalesced(async () => {
  const r = await api('GET', '/api/rollouts');
  renderRollouts(r.rollouts);
});

// ---- shared face enrolment --------------------------------------------------------------

const FACE_ACKS = { stored: '已保存', deleted: '已删除', refused: '拒绝' };

function renderFaces(byChain) {
  const box = $('faces-chains');
  box.replaceChildren();
  for (const [chain, entries] of byChain) {
    const members = state.terminals.filter((t) => t.chain === chain).map((t) => t.id);
    const rows = entries.map((e) =>
      el(
        'tr',
        { 'data-testid': `face-${e.sharedId.slice(0, 8)}`, 'data-deleted': String(e.deleted) },
        el('td', { text: e.sharedId.slice(0, 8) }),
        el('td', { text: e.origin }),
        el('td', { text: `v${e.version}` }),
        el('td', { text: e.deleted ? '已撤回' : '有效' }),
        el('td', null, members.map((id) => `${id}：${e.acks[id] ? FACE_ACKS[e.acks[id].state] || e.acks[id].state : '未确认'}`).join('；')),
      ),
    );
    const head = el('tr', null, ...['模板', '登记门店', '版本', '状态', '各终端'].map((h) => el('th', { scope: 'col', text: h })));
    box.append(
      el('h3', { text: `连锁 ${chain}` }),
      entries.length
        ? el('div', { class: 'scroll' }, el('table', { 'data-testid': `faces-${chain}` }, el('thead', null, head), el('tbody', null, ...rows)))
        : el('p', { class: 'note', text: '还没有共享的登记。' }),
    );
  }
}

const refreshFaces = coalesced(async () => {
  const chains = [...new Set(state.terminals.map((t) => t.chain).filter(Boolean))].sort();
  const byChain = [];
  for (const chain of chains) byChain.push([chain, (await api('GET', `/api/chains/${encodeURIComponent(chain)}/faces`)).entries]);
  renderFaces(byChain);
});

function showProblem(text) {
  const p = $('problem');
  p.textContent = text;
  p.hidden = false;
}

function setLive(live) {
  const l = $('live');
  l.setAttribute('data-live', live ? 'live' : 'down');
  l.textContent = live ? '实时更新中' : '与服务器的连接已断开，正在重连…';
}

/** The server's events, read from a fetch stream (EventSource cannot send the token as a header). */
async function listen() {
  let attempt = 0;
  for (;;) {
    try {
      const res = await fetch('/api/events', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (res.status === 401) {
        setLive(false);
        return showProblem('访问令牌无效或已过期：请用服务器数据目录里 console-url 文件中的地址重新打开本页。');
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      attempt = 0;
      setLive(true);
      // Whatever changed while no stream was open.
      void refreshList();
      void refreshDetail();
      void refreshRollouts();
      void refreshFaces();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          onEvent(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      }
    } catch {
      // The server went away or restarted: retry below.
    }
    setLive(false);
    const bound = Math.min(15000, 500 * 2 ** attempt++);
    await new Promise((r) => window.setTimeout(r, 250 + Math.random() * bound));
  }
}

function onEvent(block) {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (event !== 'changed') return;
  let e = null;
  try {
    e = JSON.parse(data);
  } catch {
    return;
  }
  if (e && e.what === 'rollout') return void refreshRollouts();
  if (e && e.what === 'faces') return void refreshFaces();
  void refreshList();
  if (e && e.terminalId === state.selected) void refreshDetail();
}

function keepAgesCurrent() {
  // A terminal falls silent without any event: the list is drawn again when one crosses its time.
  if (silentIds() !== state.silentShown) renderList();
  for (const s of document.querySelectorAll('[data-since]')) {
    s.textContent = `${s.getAttribute('data-prefix') || ''}${ago(s.getAttribute('data-since'))}${s.getAttribute('data-suffix') || ''}`;
  }
}

function setUp() {
  const buttons = $('command-buttons');
  for (const [kind, label] of COMMANDS) {
    buttons.append(
      el(
        'div',
        { class: 'command' },
        el('button', { type: 'button', 'data-testid': `cmd-${kind}`, text: label, onclick: () => void sendCommand(kind) }),
        el('span', { class: 'command-state', id: `cmd-state-${kind}`, 'data-testid': `cmd-state-${kind}`, 'data-state': 'none', role: 'status' }),
      ),
    );
  }
  $('detail-title').setAttribute('tabindex', '-1');
  $('detail-close').addEventListener('click', () => {
    const id = state.selected;
    state.selected = null;
    state.detail = null;
    $('detail').hidden = true;
    renderList();
    const back = id && document.querySelector(`[data-testid="open-${CSS.escape(id)}"]`);
    if (back) back.focus();
  });
  $('config-editor').addEventListener('input', () => {
    state.dirty = true;
    renderDiff();
  });
  $('config-send').addEventListener('click', () => void sendConfig());
  $('ro-start').addEventListener('click', () => void startRollout());
  $('config-reset').addEventListener('click', () => {
    $('config-editor').value = desiredText();
    state.dirty = false;
    renderDiff();
  });
  setInterval(keepAgesCurrent, 5000);
  if (!token) {
    setLive(false);
    return showProblem('缺少访问令牌：请用服务器数据目录里 console-url 文件中的地址打开本页。');
  }
  void listen();
}

setUp();
