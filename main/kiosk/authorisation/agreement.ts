/**
 * The agreement a person reads before authorising (个人信息授权协议), as versioned text. The
 * authorisation records the version and the SHA-256 of the text at the platform, so what the
 * person agreed to can be shown later word for word. A change of wording is a new version: the
 * old one stays here for as long as authorisations signed under it may be read.
 *
 * Written from 《个人信息保护法》 §§14, 15, 17, 23, 28, 29, 31, 45 (kiosk-services.md §2 [K]).
 */
import { createHash } from 'node:crypto';

export interface Agreement {
  version: string;
  title: string;
  paragraphs: readonly string[];
}

export const AGREEMENTS: readonly Agreement[] = [
  {
    version: '2026.1',
    title: '医保个人信息授权查询和使用协议',
    paragraphs: [
      '一、您授权的机构（接收方）及用途以本页所列为准。接收方已与医保部门签订保密协议，只能在您授权的用途内使用您的信息。',
      '二、医保信息按敏感程度分为四级：1级为参保状态和险种；2级为缴费记录和个人账户；3级为就诊结算、诊断和药品明细；4级为人脸等生物识别信息、证件照片以及精神疾病、艾滋病等特殊诊断。第三方只能在您授权的范围内查询1至3级信息，4级信息在任何情况下都不会提供。',
      '三、医疗健康信息属于敏感个人信息，本授权是您对敏感个人信息的单独同意。2级和3级信息须限定查询次数和期限；3级信息只提供您选定医疗类别的记录。',
      '四、接收方每次查询都经医保信息平台核验授权，超出次数、期限或内容的查询会被拒绝。平台返回的信息加密传输，附有接收方名称、查询时间和追踪编号水印，并经平台签章防篡改。',
      '五、每一次查询，无论成功或被拒绝，都会记录查询机构、时间、内容和追踪编号。您可以在本机或医保服务平台随时查看这些记录。',
      '六、您可以随时撤销授权，撤销立即生效；撤销不影响撤销前已经进行的查询。授权的用途或信息种类发生变化时，须重新取得您的同意。',
      '七、为不满十四周岁的未成年人授权，须由其父母或其他监护人办理。',
      '八、授权须经刷脸或社保卡密码确认本人后生效。您可以打印带核验码的授权书留存。',
    ],
  },
];

/** The version a new authorisation is signed under. */
export const CURRENT_AGREEMENT: Agreement = AGREEMENTS[AGREEMENTS.length - 1]!;

export function agreementText(a: Agreement): string {
  return [a.title, ...a.paragraphs].join('\n');
}

/** SHA-256 (hex) of the agreement's text as shown, what the platform records with the version. */
export function agreementHash(a: Agreement): string {
  return createHash('sha256').update(agreementText(a), 'utf8').digest('hex');
}
