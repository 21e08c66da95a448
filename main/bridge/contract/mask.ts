/**
 * Masking of personal data for screens and logs. A resident's ID number shows its first three
 * and last four characters (320***********1234); names keep the first and last character.
 */

export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}

export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.length ? '*' : '';
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length < 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}

// 18-character resident ID numbers (last character may be X) and 15-character legacy ones.
const ID_NUMBER = /(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])/g;

/** Masks anything in free text that looks like a resident ID number. */
export function maskIdNumbersIn(text: string): string {
  return text.replace(ID_NUMBER, (m) => maskIdNumber(m));
}
