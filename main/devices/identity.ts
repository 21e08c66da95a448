import type { CardKind } from '../../drivers/id-card/text-block';

/**
 * Who is at the terminal and how they proved it. Every way in ends here: the certificate type
 * and number are what the platform's 1101 takes (mdtrt_cert_type / mdtrt_cert_no).
 */
export interface Identity {
  /** 01 医保电子凭证 (ecToken), 02 居民身份证, 03 社会保障卡 */
  certType: '01' | '02' | '03';
  certNo: string;
  /** 卡识别码, required with certificate type 03. */
  cardSn: string | null;
  idNumber: string | null;
  name: string | null;
  provenBy: 'id-card' | 'ss-card' | 'qr' | 'face';
  /** Which ID document, when proven by the ID-card reader. */
  cardKind: CardKind | null;
  at: string;
}
