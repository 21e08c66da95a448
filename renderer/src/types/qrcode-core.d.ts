/** The encoder core of the qrcode package (no Node streams, no canvas): just the module matrix. */
declare module 'qrcode/lib/core/qrcode' {
  export interface BitMatrix {
    size: number;
    get(row: number, col: number): number | boolean;
  }
  export function create(text: string, options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' }): { modules: BitMatrix };
}
