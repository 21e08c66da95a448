/**
 * Every failure code the technician's screen can meet: what the service handlers report, what
 * the device drivers and the device supervisor put on a device, and what the face engine (the
 * status bar's camera) reports. The service screen turns each into a plain sentence with what to
 * do (`service.failure` in the renderer's catalogues). main/service/failure-codes.test.ts checks
 * the drivers and handlers against this list; renderer/src/service/failures.test.ts checks that
 * each code has its text in both languages.
 */
import { errorCodes } from './errors';

/** Why the 9001 sign-in round trip of `service.platform` failed: the platform client's failure outcomes. */
export const platformCheckCodes = [
  'PLATFORM_UNREACHABLE',
  'PLATFORM_SIGNIN_FAILED',
  'PLATFORM_SIGNIN_EXPIRED',
  'PLATFORM_BUSINESS_ERROR',
  'PLATFORM_TIMEOUT_OUTCOME_UNKNOWN',
  'PLATFORM_CONNECTION_LOST',
  'PLATFORM_HTTP_ERROR',
  'PLATFORM_MALFORMED_REPLY',
  'PLATFORM_SYSTEM_ERROR',
] as const;

/** What `service.overview` finds wrong with the terminal's storage. */
export const storageCheckCodes = ['STORAGE_INTEGRITY_FAILED', 'STORAGE_TAMPERED_ROWS', 'STORAGE_LOW_SPACE'] as const;

/** Queue items a person has to look at, as the service screen reads them from the queue's counts. */
export const queueCheckCodes = ['QUEUE_NEEDS_ATTENTION', 'QUEUE_OUTCOME_UNKNOWN'] as const;

const serviceCodes = [
  'SERVICE_LOCKED',
  'SERVICE_LOCKED_OUT',
  'SERVICE_PIN_BACKOFF',
  'SERVICE_PIN_MISMATCH',
  'SERVICE_PIN_NOT_SET',
  'SERVICE_PIN_WEAK',
  'SERVICE_PIN_WRONG',
] as const;

const deviceCodes = [
  'DEVICE_ABSENT',
  'DEVICE_NOT_RESPONDING',
  'DEVICE_OPEN_FAILED',
  'DEVICE_SELF_TEST_FAILED',
  'DEVICE_UNKNOWN',
  'TRANSPORT_CLOSED',
  'TRANSPORT_OPEN_FAILED',
  'TRANSPORT_WRITE_FAILED',
  'TRANSPORT_WRITE_TIMEOUT',
  'TRANSPORT_TIMEOUT',
] as const;

const idCardCodes = [
  'ID_CARD_AUTH_FAILED',
  'ID_CARD_FINGERPRINT_ERROR',
  'ID_CARD_LENGTH_ERROR',
  'ID_CARD_NOT_FOUND',
  'ID_CARD_READ_FAILED',
  'ID_CARD_SELECT_FAILED',
  'ID_CARD_TEXT_INVALID',
  'ID_CARD_UNKNOWN_TYPE',
  'ID_CARD_VERIFY_FAILED',
  'ID_FRAME_CHECKSUM',
  'ID_FRAME_GARBAGE',
  'ID_FRAME_LENGTH',
  'ID_READER_IO',
  'ID_READER_TIMEOUT',
  'ID_SAM_CHECKSUM_ERROR',
  'ID_SAM_COMMAND_ERROR',
  'ID_SAM_FAULT',
  'ID_SAM_LENGTH_ERROR',
  'ID_SAM_NOT_AUTHORISED',
  'ID_SAM_UNAUTHORISED',
  'ID_SAM_UNEXPECTED_STATUS',
  'ID_SAM_UNKNOWN_ERROR',
  'ID_SAM_UNKNOWN_STATUS',
] as const;

const ssCardCodes = [
  'SS_CARD_ABSENT',
  'SS_CARD_BAD_LENGTH',
  'SS_CARD_BAD_RECORD',
  'SS_CARD_BAD_RESPONSE',
  'SS_CARD_MUTE',
  'SS_CARD_NOT_SSSE',
  'SS_CARD_PIN_BLOCKED',
  'SS_CARD_PIN_WRONG',
  'SS_CARD_READ_FAILED',
  'SS_CARD_RECORD_MISSING',
  'SS_CARD_SECURITY',
  'SS_CARD_STATUS',
  'SS_CARD_UNSUPPORTED',
  'SS_READER_IO',
  'SS_READER_PROTOCOL',
  'SS_READER_TIMEOUT',
] as const;

const scannerCodes = ['SCANNER_BAD_REPORT', 'SCANNER_EMPTY', 'SCANNER_TOO_LONG'] as const;

const printerCodes = [
  'PRINTER_ABSENT',
  'PRINTER_COVER_OPEN',
  'PRINTER_CUTTER_ERROR',
  'PRINTER_ERROR',
  'PRINTER_JOB_FAILED',
  'PRINTER_JOB_TIMEOUT',
  'PRINTER_NOT_RESPONDING',
  'PRINTER_NO_SUCH_JOB',
  'PRINTER_OFFLINE',
  'PRINTER_OUTCOME_UNKNOWN',
  'PRINTER_PAPER_NEAR_END',
  'PRINTER_PAPER_OUT',
] as const;

/** The camera as the status bar shows it is the face engine; the preview itself may find no camera. */
const cameraCodes = [
  'FACE_MODELS_MISSING',
  'FACE_ENGINE_CLOSED',
  'FACE_ENGINE_CRASHED',
  'FACE_ENGINE_FAILED',
  'FACE_ENGINE_LOAD_FAILED',
  'FACE_ENGINE_TIMEOUT',
  'FACE_UNAVAILABLE',
  'CAMERA_UNAVAILABLE',
] as const;

export const serviceFailureCodes = [
  ...errorCodes,
  ...serviceCodes,
  ...platformCheckCodes,
  ...storageCheckCodes,
  ...queueCheckCodes,
  ...deviceCodes,
  ...idCardCodes,
  ...ssCardCodes,
  ...scannerCodes,
  ...printerCodes,
  ...cameraCodes,
] as const;
export type ServiceFailureCode = (typeof serviceFailureCodes)[number];
