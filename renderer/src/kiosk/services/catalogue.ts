export type ServiceName =
  | 'info'
  | 'account'
  | 'records'
  | 'contributions'
  | 'premium'
  | 'cumulative'
  | 'chronic'
  | 'designated'
  | 'transfer'
  | 'family'
  | 'auth'
  | 'estimate'
  | 'certificate'
  | 'policy';

/** The kiosk's service tiles in home-screen order; elderly mode shows the first six up front. */
export const SERVICES: ServiceName[] = [
  'info',
  'account',
  'records',
  'contributions',
  'premium',
  'certificate',
  'cumulative',
  'chronic',
  'designated',
  'transfer',
  'family',
  'auth',
  'estimate',
  'policy',
];
