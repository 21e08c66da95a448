/**
 * Which consent text a person agreed to. A consent is recorded with the version of the text the
 * screen showed: the deployment's text version, the purpose, and, for a counter whose enrolments
 * are shared with its chain's other terminals, the chain the text named. Only an enrolment whose
 * consent named the chain ever leaves the terminal (main/fleet/faces.ts).
 */
export interface FaceSharing {
  /** The chain id of fleet.chain. */
  chain: string;
  /** The name customers know it by (fleet.chainName, else the id). */
  name: string;
}

export function consentTextVersion(base: string, purpose: string, sharing: FaceSharing | null): string {
  return `${base}/${purpose}${sharing ? `/chain:${sharing.chain}` : ''}`;
}

/** Whether a consent's text version is a payment consent that named `chain`. */
export function consentNamesChain(consent: { purpose: string; textVersion: string }, chain: string): boolean {
  return consent.purpose === 'payment' && consent.textVersion.endsWith(`/payment/chain:${chain}`);
}
