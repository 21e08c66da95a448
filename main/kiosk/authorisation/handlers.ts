import type { Handlers } from '../../bridge/dispatcher';
import type { ResidentSession } from '../../session/session';
import type { AuthorisationService } from './service';

type AuthorisationHandlers = Pick<
  Handlers,
  'kiosk.auths' | 'kiosk.authOpen' | 'kiosk.authorise' | 'kiosk.authUsage' | 'kiosk.revokeAuth' | 'kiosk.authPrint' | 'kiosk.authPreview'
>;

/** Bridge handlers of 个人信息授权; every call also counts as activity in the session. */
export function authorisationHandlers(a: AuthorisationService, session: ResidentSession): AuthorisationHandlers {
  const touch = <T>(f: () => T) => {
    session.touch();
    return f();
  };
  return {
    'kiosk.auths': () => touch(async () => ({ auths: await a.list(), options: a.options() })),
    'kiosk.authOpen': () => touch(() => a.open()),
    'kiosk.authorise': ({ ticket, ...req }) => touch(() => a.authorise(ticket, req)),
    'kiosk.authUsage': (i) => touch(async () => ({ rows: await a.usage(i.sn) })),
    'kiosk.authPreview': (i) => touch(async () => ({ items: await a.preview(i.items, i.medTypes) })),
    'kiosk.revokeAuth': (i) => touch(() => a.revoke(i.sn)),
    'kiosk.authPrint': (i) => touch(() => a.print(i.sn)),
  };
}
