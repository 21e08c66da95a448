/** An authorisation being filled in: who may read, which records, for how many days. */
export interface Grant {
  grantee: string;
  scopes: string[];
  days: number;
}

/** Ticking a scope adds it after those already ticked; unticking removes it. */
export function toggleScope(scopes: string[], scope: string, ticked: boolean): string[] {
  return ticked ? [...scopes, scope] : scopes.filter((s) => s !== scope);
}

/** A grant can be confirmed once it names a grantee, at least one scope and a period. */
export function grantComplete({ grantee, scopes, days }: Grant): boolean {
  return grantee !== '' && scopes.length > 0 && days > 0;
}
