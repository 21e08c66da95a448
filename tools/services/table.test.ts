import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECLARATIONS } from '../../main/kiosk/catalogue/declarations';
import { servicesTable } from './table';

describe('the README lists every kiosk service with its platform transactions', () => {
  it('holds exactly the table made from the declarations (regenerate: npx tsx tools/services/table.ts)', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const m = /<!-- services:begin -->\n([\s\S]*?)\n<!-- services:end -->/.exec(readme);
    expect(m, 'README.md has the services markers').not.toBeNull();
    expect(m![1]).toBe(servicesTable());
    expect(m![1]!.split('\n')).toHaveLength(DECLARATIONS.length + 2);
  });
});
