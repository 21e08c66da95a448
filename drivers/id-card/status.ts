/** SW3 status bytes of the GA 467 SAM_A (platform-and-devices.md §3.3). */
export const SW3 = {
  OK: 0x90,
  NO_CONTENT: 0x91,
  FIND_OK: 0x9f,
  CHECKSUM_ERROR: 0x10,
  LENGTH_ERROR: 0x11,
  COMMAND_ERROR: 0x21,
  UNAUTHORISED: 0x23,
  UNKNOWN_ERROR: 0x24,
  SAM_AUTH_CARD_FAILED: 0x31,
  CARD_AUTH_SAM_FAILED: 0x32,
  VERIFY_FAILED: 0x33,
  FINGERPRINT_ERROR: 0x37,
  INFO_LENGTH_ERROR: 0x3f,
  UNKNOWN_CARD_TYPE: 0x40,
  READ_FAILED: 0x41,
  RANDOM_FAILED: 0x47,
  SAM_SELF_TEST_FAILED: 0x60,
  SAM_NOT_AUTHORISED: 0x66,
  FIND_FAILED: 0x80,
  SELECT_FAILED: 0x81,
} as const;

export interface StatusInfo {
  zh: string;
  en: string;
  /** The driver's error code when this status means failure. */
  code: string | null;
}

export const STATUS_TEXT: Record<number, StatusInfo> = {
  0x90: { zh: '操作成功', en: 'success', code: null },
  0x91: { zh: '居民身份证中无此项内容', en: 'the card has no such item', code: null },
  0x9f: { zh: '寻找居民身份证成功', en: 'card found', code: null },
  0x10: { zh: '接收业务终端数据的校验和错', en: 'checksum error in the command', code: 'ID_SAM_CHECKSUM_ERROR' },
  0x11: { zh: '接收业务终端数据的长度错', en: 'length error in the command', code: 'ID_SAM_LENGTH_ERROR' },
  0x21: { zh: '接收业务终端的命令错误', en: 'unknown command', code: 'ID_SAM_COMMAND_ERROR' },
  0x23: { zh: '越权操作', en: 'operation not permitted', code: 'ID_SAM_UNAUTHORISED' },
  0x24: { zh: '无法识别的错误', en: 'unrecognised error', code: 'ID_SAM_UNKNOWN_ERROR' },
  0x31: { zh: '居民身份证认证SAM_A失败', en: 'the card failed to authenticate the SAM', code: 'ID_CARD_AUTH_FAILED' },
  0x32: { zh: 'SAM_A认证居民身份证失败', en: 'the SAM failed to authenticate the card', code: 'ID_CARD_AUTH_FAILED' },
  0x33: { zh: '信息验证失败', en: 'information verification failed', code: 'ID_CARD_VERIFY_FAILED' },
  0x37: { zh: '指纹信息验证错误', en: 'fingerprint verification error', code: 'ID_CARD_FINGERPRINT_ERROR' },
  0x3f: { zh: '信息长度错误', en: 'information length error', code: 'ID_CARD_LENGTH_ERROR' },
  0x40: { zh: '无法识别的居民身份证类型', en: 'unknown card type', code: 'ID_CARD_UNKNOWN_TYPE' },
  0x41: { zh: '读居民身份证操作失败', en: 'reading the card failed', code: 'ID_CARD_READ_FAILED' },
  0x47: { zh: '取随机数失败', en: 'getting a random number failed', code: 'ID_CARD_READ_FAILED' },
  0x60: { zh: 'SAM_A自检失败，不能接收命令', en: 'SAM self-test failed', code: 'ID_SAM_FAULT' },
  0x66: { zh: 'SAM_A没经过授权，无法使用', en: 'SAM not authorised', code: 'ID_SAM_NOT_AUTHORISED' },
  0x80: { zh: '寻找居民身份证失败', en: 'no card found', code: 'ID_CARD_NOT_FOUND' },
  0x81: { zh: '选取居民身份证失败', en: 'selecting the card failed', code: 'ID_CARD_SELECT_FAILED' },
};

export function describeStatus(sw3: number): StatusInfo {
  return STATUS_TEXT[sw3] ?? { zh: `未知状态 0x${sw3.toString(16)}`, en: `unknown status 0x${sw3.toString(16)}`, code: 'ID_SAM_UNKNOWN_STATUS' };
}
