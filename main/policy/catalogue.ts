/**
 * The drug catalogue a terminal sells and estimates from: 医保目录 code, name, specification,
 * class (甲 01 / 乙 02 / 丙 03), 先行自付 ratio, price and price limit (fen), the EAN-13 on the
 * box, and whether it is a prescription drug. Supplied by the composition root (seed data in
 * the embedded setup, the pharmacy's own list in production).
 */
export interface CatalogueDrug {
  hilistCode: string;
  name: string;
  spec: string;
  manufacturer: string;
  barcode: string;
  chrgitmLv: '01' | '02' | '03';
  selfPayBp: number;
  price: number;
  priceCap: number | null;
  prescription: boolean;
}

export class DrugCatalogue {
  private readonly byList = new Map<string, CatalogueDrug>();
  private readonly byEan = new Map<string, CatalogueDrug>();

  constructor(readonly drugs: readonly CatalogueDrug[]) {
    for (const d of drugs) {
      this.byList.set(d.hilistCode, d);
      this.byEan.set(d.barcode, d);
    }
  }

  byCode(hilistCode: string): CatalogueDrug | null {
    return this.byList.get(hilistCode) ?? null;
  }

  byBarcode(code: string): CatalogueDrug | null {
    return this.byEan.get(code) ?? null;
  }
}
