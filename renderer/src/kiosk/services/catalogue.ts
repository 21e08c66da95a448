/** Services with a screen of their own; main's catalogue (main/kiosk/catalogue) names them in `screen`. */
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
