/**
 * The layout rules of issue 18 (numbers from ../shared/reference/elderly-ux.md), measured in the
 * page as it stands: what is outside the viewport, clipped, overlapping or too close, too small to
 * touch, too small to read, too tightly set, or too faint against its background. Returns one line
 * per problem; an empty list is a pass.
 */
import type { Page } from '@playwright/test';

export interface LayoutRules {
  /** Smallest font size of text a resident reads, CSS px. */
  minText: number;
  /** Smallest height and width of a control, CSS px. */
  minTarget: number;
  /** Smallest height of a primary control (the screen's main action, service tiles, PIN keys), CSS px. */
  minPrimary: number;
  /** Smallest gap between two controls, CSS px. */
  minGap: number;
  /** Smallest line height of body text, as a multiple of its font size. */
  minLineHeight: number;
  /** Smallest contrast of text against its background, and of a control against what surrounds it. */
  minTextContrast: number;
  minControlContrast: number;
  /** Elements that must be on screen without scrolling (CSS selectors, each if present). */
  mustShow: string[];
  /** Parts of the page measured for text, targets and contrast. */
  scope: string;
}

export async function layoutProblems(page: Page, rules: LayoutRules): Promise<string[]> {
  return page.evaluate((r) => {
    const problems: string[] = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const label = (el: Element) => {
      const id = el.getAttribute('data-testid');
      const text = ((el as HTMLElement).innerText || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 24);
      return `${el.tagName.toLowerCase()}${id ? `[${id}]` : ''}${text ? ` "${text}"` : ''}`;
    };
    const shown = (el: Element) => {
      const rect = el.getBoundingClientRect();
      if (rect.width < 1 || rect.height < 1) return false;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') return false;
      }
      return true;
    };
    const px = (v: string) => Number.parseFloat(v) || 0;
    /** The part of an element on screen now: cut by every scrolling or clipping ancestor and by the viewport. */
    const onScreen = (el: Element) => {
      const b = el.getBoundingClientRect();
      let [l, t, rr, bb] = [b.left, b.top, b.right, b.bottom];
      for (let e = el.parentElement; e; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
        const c = e.getBoundingClientRect();
        [l, t, rr, bb] = [Math.max(l, c.left), Math.max(t, c.top), Math.min(rr, c.right), Math.min(bb, c.bottom)];
      }
      [l, t, rr, bb] = [Math.max(l, 0), Math.max(t, 0), Math.min(rr, vw), Math.min(bb, vh)];
      return rr - l >= 1 && bb - t >= 1 ? { left: l, top: t, right: rr, bottom: bb } : null;
    };

    // 1. Nothing wider than the screen: no sideways scrolling, no control past the right edge.
    const docWidth = document.documentElement.scrollWidth;
    if (docWidth > vw + 1) problems.push(`the page is ${docWidth} px wide on a ${vw} px screen`);

    // 2. What must be on screen without scrolling.
    for (const sel of r.mustShow)
      for (const el of Array.from(document.querySelectorAll(sel))) {
        if (!shown(el)) continue;
        const b = el.getBoundingClientRect();
        const v = onScreen(el);
        const cut = !v || v.left - b.left > 1 || v.top - b.top > 1 || b.right - v.right > 1 || b.bottom - v.bottom > 1;
        if (cut)
          problems.push(`${label(el)} is outside the screen (${Math.round(b.left)},${Math.round(b.top)})–(${Math.round(b.right)},${Math.round(b.bottom)})`);
      }

    const floating = (el: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const p = getComputedStyle(e).position;
        if (p === 'sticky' || p === 'fixed') return e;
      }
      return null;
    };
    const scope = Array.from(document.querySelectorAll(r.scope));
    const inScope = (el: Element) => scope.some((s) => s.contains(el));
    const controls = Array.from(document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button]')).filter(
      (el) => inScope(el) && shown(el),
    );

    // 3. Targets: big enough, and primary ones bigger.
    for (const el of controls) {
      const b = el.getBoundingClientRect();
      const isCheck = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
      if (isCheck) {
        // A check box counts with its label, which is the target.
        const lab = el.closest('label');
        const lb = (lab ?? el).getBoundingClientRect();
        if (lb.height < r.minTarget - 0.5) problems.push(`${label(lab ?? el)} is ${Math.round(lb.height)} px high (< ${r.minTarget})`);
        continue;
      }
      // The screen's main action, service tiles and the keys of a PIN pad; a tab in a navigation row
      // is navigation, not the action.
      const primary = el.matches('.primary, .tile, .pin-key') && !el.closest('nav.tabs');
      const min = primary ? r.minPrimary : r.minTarget;
      if (b.height < min - 0.5 || b.width < Math.min(min, r.minTarget) - 0.5)
        problems.push(`${label(el)} is ${Math.round(b.width)}×${Math.round(b.height)} px (< ${primary ? 'primary ' : ''}${min})`);
      if (b.left < -1 || b.right > vw + 1) problems.push(`${label(el)} sticks out of the screen sideways`);
    }

    // 4. Controls neither overlap nor touch (at least minGap apart). Each control's place on screen and
    // whether it floats (sticky, fixed) is worked out once.
    const placed = controls.map((el) => ({ el, rect: onScreen(el), float: floating(el), label: el.closest('label') }));
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++) {
        const A = placed[i]!;
        const C = placed[j]!;
        const a = A.el;
        const c = C.el;
        if (a.contains(c) || c.contains(a)) continue;
        // A control inside a label (a check box) is one target with its label.
        if (A.label && A.label === C.label) continue;
        // A bar that stays put while the content scrolls under it (sticky, fixed) takes the touch where it is.
        if (A.float !== C.float) continue;
        // Only what is on screen now can be touched: a control scrolled away under a bar is not in the way.
        const p = A.rect;
        const q = C.rect;
        if (!p || !q) continue;
        const dx = Math.max(p.left - q.right, q.left - p.right);
        const dy = Math.max(p.top - q.bottom, q.top - p.bottom);
        if (dx < -0.5 && dy < -0.5) problems.push(`${label(a)} overlaps ${label(c)}`);
        else if (Math.max(dx, dy) < r.minGap - 0.5)
          problems.push(`${label(a)} and ${label(c)} are ${Math.max(0, Math.round(Math.max(dx, dy)))} px apart (< ${r.minGap})`);
      }

    // 5. Text: big enough, loosely enough set, not clipped, dark enough on its background.
    const background = (el: Element): [number, number, number] => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const m = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(getComputedStyle(e).backgroundColor);
        if (m && (m[4] === undefined || Number(m[4]) > 0.9)) return [Number(m[1]), Number(m[2]), Number(m[3])];
      }
      return [255, 255, 255];
    };
    const rgb = (v: string): [number, number, number] | null => {
      const m = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(v);
      if (!m || (m[4] !== undefined && Number(m[4]) < 0.5)) return null;
      return [Number(m[1]), Number(m[2]), Number(m[3])];
    };
    const lum = ([R, G, B]: [number, number, number]) => {
      const f = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(R) + 0.7152 * f(G) + 0.0722 * f(B);
    };
    const contrast = (a: [number, number, number], b: [number, number, number]) => {
      const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m) as [number, number];
      return (x + 0.05) / (y + 0.05);
    };
    const seen = new Set<Element>();
    for (const s of scope) {
      const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || seen.has(el) || !(n.textContent ?? '').trim() || !shown(el)) continue;
        if (el.closest('[aria-hidden=true], .status-bar, video, option')) continue;
        seen.add(el);
        const cs = getComputedStyle(el);
        const size = px(cs.fontSize);
        if (size < r.minText - 0.5) problems.push(`${label(el)} is set in ${size} px (< ${r.minText})`);
        const lh = cs.lineHeight === 'normal' ? 1.2 : px(cs.lineHeight) / size;
        if (lh < r.minLineHeight - 0.01 && !el.closest('button, .tile, input, select'))
          problems.push(`${label(el)} has line height ${lh.toFixed(2)} (< ${r.minLineHeight})`);
        const fg = rgb(cs.color);
        if (fg) {
          const ratio = contrast(fg, background(el));
          if (ratio < r.minTextContrast - 0.05) problems.push(`${label(el)} has text contrast ${ratio.toFixed(2)}:1 (< ${r.minTextContrast}:1)`);
        }
        for (let e: Element | null = el; e && inScope(e); e = e.parentElement) {
          const ecs = getComputedStyle(e);
          const clips = ['hidden', 'clip'].includes(ecs.overflowX) || ecs.textOverflow === 'ellipsis';
          if (clips && e.scrollWidth > e.clientWidth + 1) {
            problems.push(`${label(e)} cuts its text off (${e.scrollWidth} px in ${e.clientWidth} px)`);
            break;
          }
        }
      }
    }

    // 6. A control stands out from what surrounds it (its fill or its border, ≥ 3:1).
    for (const el of controls) {
      const whole = el.getBoundingClientRect();
      // A surface that is the whole screen (the attract screen's "touch anywhere") has no surroundings.
      if (whole.width * whole.height > 0.5 * vw * vh) continue;
      // Check boxes are drawn by the browser (a dark frame); their label is the target.
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) continue;
      const cs = getComputedStyle(el);
      const around = background(el.parentElement ?? el);
      const fill = rgb(cs.backgroundColor);
      const border = px(cs.borderTopWidth) >= 1 ? rgb(cs.borderTopColor) : null;
      const best = Math.max(fill ? contrast(fill, around) : 1, border ? contrast(border, around) : 1);
      if (best < r.minControlContrast - 0.05) problems.push(`${label(el)} stands out ${best.toFixed(2)}:1 from its surroundings (< ${r.minControlContrast}:1)`);
    }
    return [...new Set(problems)];
  }, rules);
}
