/**
 * GB 11643 resident ID numbers: the check character, and whether an 18-character number is well
 * formed. Shared by main's form validation and the seed people (fixtures/people).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`need 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckChar(id.slice(0, 17)) === id[17];
}

/** Sex ('1' male, '2' female) and birth date (yyyy-MM-dd) a well-formed ID number carries; nulls otherwise. */
export function sexAndBirthOf(idNumber: string | null | undefined): { sex: '1' | '2' | null; birthDate: string | null } {
  if (!idNumber || !isValidIdNumber(idNumber)) return { sex: null, birthDate: null };
  return { sex: Number(idNumber[16]) % 2 === 1 ? '1' : '2', birthDate: `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}` };
}

/** Full years of age on `today` (both yyyy-MM-dd): a birthday counts from its own day. */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
