/**
 * The layout walk of issue 18, shared by the specs that walk screens (e2e/layout*.spec.ts): each
 * screen as it stands, measured at the sizes its terminal has (kiosk: portrait 1080×1920,
 * landscape 1920×1080 and the 10-inch 1280×800, normal and 长辈版; counter and service-mode
 * terminal: the 10-inch 1280×800, in the type they were started with) against the rules in measure.ts and axe-core's WCAG 2.x A/AA rules, with a
 * screenshot of each kept in test-output/screens/ for review. The walk records what it measured,
 * so a spec can check that it walked the screens it meant to, not only that nothing was wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { layoutProblems, type LayoutRules } from './measure';

export const SIZES = [
  { name: '1080x1920', width: 1080, height: 1920, tenInch: false },
  { name: '1920x1080', width: 1920, height: 1080, tenInch: false },
  { name: '1280x800', width: 1280, height: 800, tenInch: true },
] as const;
export const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-output', 'screens');

/** The kiosk's rules at a size: 长辈版 sets larger type; the 10-inch panel wants larger primary targets. */
export function rules(elderly: boolean, tenInch: boolean, mustShow: string[]): LayoutRules {
  return {
    minText: elderly ? 36 : 24,
    minTarget: 60,
    minPrimary: tenInch ? 89 : 60,
    minGap: 8,
    minLineHeight: 1.5,
    minTextContrast: 7,
    minControlContrast: 3,
    mustShow: ['.toolbar', '.steps', '.assist', '[data-testid=back]', 'main h1', ...mustShow],
    scope: '.toolbar .toolbar-button, main, .assist, .steps, .idle-warning',
  };
}

/**
 * axe-core's WCAG 2.x A/AA rules. Its colour-contrast rule (4.5:1) is left to measure.ts, which asks
 * for 7:1 on every text and 3:1 on every control; it is also axe's slowest rule, and the walk runs
 * axe on every screen at six sizes.
 */
export const axeOf = (page: Page) =>
  new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).disableRules(['color-contrast']).analyze();

/** Turns 长辈版 on or off with the kiosk's own toolbar button. */
export async function setElderly(page: Page, on: boolean) {
  const shell = page.locator('.shell');
  if ((await shell.getAttribute('data-elderly')) === String(on)) return;
  await page.locator('.toolbar-button[aria-pressed]').click();
  await expect(shell).toHaveAttribute('data-elderly', String(on));
}

/** Layout settles in the next frame after a resize or a class change. */
const settled = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

export interface WalkOptions {
  /**
   * Checked before each measurement: the screen is still the one meant (a camera screen, say,
   * whose session could end on its own), so a walk never measures another screen under its name.
   */
  still?: () => Promise<void>;
  /**
   * A screen that is opened at each size and left again (the technician's PIN screens, which hide
   * the 长辈版 switch while they are up): `open` after the size and type are set, `close` after.
   */
  open?: () => Promise<void>;
  close?: () => Promise<void>;
}

/** One walk over a terminal's screens: every problem found, and every screen and size measured. */
export class LayoutWalk {
  /** `${terminal} ${screen} ${size}${ 长辈版}`, in the order measured. */
  readonly measured: string[] = [];
  readonly problems: string[] = [];

  constructor(
    private readonly page: Page,
    private readonly terminal: 'kiosk' | 'counter' | 'service',
  ) {
    fs.mkdirSync(SHOTS, { recursive: true });
  }

  private async check(name: string, shot: string, r: LayoutRules, options: WalkOptions) {
    await options.still?.();
    this.measured.push(name);
    await this.page.screenshot({ path: path.join(SHOTS, `${shot}.png`) });
    for (const p of await layoutProblems(this.page, r)) this.problems.push(`${name}: ${p}`);
    const axe = await axeOf(this.page);
    for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
      this.problems.push(`${name}: axe ${v.id} (${v.impact}): ${v.nodes[0]?.target.join(' ')}`);
  }

  /** The kiosk screen as it stands, at every size, normal and 长辈版; leaves it at 1280×800, normal. */
  async kiosk(screen: string, mustShow: string[] = [], options: WalkOptions = {}): Promise<void> {
    await this.everySize(screen, (elderly, tenInch) => rules(elderly, tenInch, mustShow), options);
  }

  /** One screen at every kiosk size, normal and 长辈版, measured against `rulesAt`; leaves it at 1280×800, normal. */
  private async everySize(screen: string, rulesAt: (elderly: boolean, tenInch: boolean) => LayoutRules, options: WalkOptions): Promise<void> {
    for (const size of SIZES)
      for (const elderly of [false, true]) {
        await this.page.setViewportSize({ width: size.width, height: size.height });
        await setElderly(this.page, elderly);
        await options.open?.();
        await settled(this.page);
        const name = `${this.terminal} ${screen} ${size.name}${elderly ? ' 长辈版' : ''}`;
        await this.check(name, `${this.terminal}-${screen}-${size.name}-${elderly ? 'elderly' : 'normal'}`, rulesAt(elderly, size.tenInch), options);
        await options.close?.();
      }
    await setElderly(this.page, false);
    await this.page.setViewportSize({ width: 1280, height: 800 });
  }

  /**
   * The counter's and the technician's screens at the counter's 10-inch size, in the type the
   * terminal was started with (长辈版 when its config sets ui.elderlyMode: the page says which).
   */
  async at1280(screen: string, mustShow: string[] = [], options: WalkOptions = {}): Promise<void> {
    await this.page.setViewportSize({ width: 1280, height: 800 });
    await settled(this.page);
    const elderly = (await this.page.locator('.shell').getAttribute('data-elderly')) === 'true';
    const r = { ...rules(elderly, true, []), mustShow: ['.toolbar', ...mustShow], scope: 'main' };
    await this.check(
      `${this.terminal} ${screen} 1280x800${elderly ? ' 长辈版' : ''}`,
      `${this.terminal}-${screen}-1280x800-${elderly ? 'elderly' : 'normal'}`,
      r,
      options,
    );
  }

  /**
   * A technician's screen on a kiosk (service mode over the running kiosk) at every kiosk size, in
   * normal type and in 长辈版 (a resident may have left it on: the technician's panels then come in
   * 36 px type too); `open` after the size and type are set. Leaves it at 1280×800, normal.
   */
  async technician(screen: string, mustShow: string[] = [], options: WalkOptions = {}): Promise<void> {
    await this.everySize(screen, (elderly, tenInch) => ({ ...rules(elderly, tenInch, []), mustShow: ['.toolbar', ...mustShow], scope: 'main' }), options);
  }

  /** The names `kiosk()` gives a screen it walked at every size, in its order. */
  static kioskNames(terminal: string, screens: string[]): string[] {
    return screens.flatMap((s) => SIZES.flatMap((size) => [`${terminal} ${s} ${size.name}`, `${terminal} ${s} ${size.name} 长辈版`]));
  }
}
