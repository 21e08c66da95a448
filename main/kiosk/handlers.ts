import type { Handlers } from '../bridge/dispatcher';
import { CHRONIC_DISEASES, HOSPITALS, INSTITUTIONS, RELATIONS, type KioskServices } from './services';
import type { ResidentSession } from '../session/session';
import type { CatalogueEngine } from './catalogue/engine';
import { authorisationHandlers } from './authorisation/handlers';
import type { AuthorisationService } from './authorisation/service';
import type { AgentDesk } from './agent';

type KioskHandlers = Pick<Handlers, `kiosk.${string}` & keyof Handlers>;

/** Bridge handlers of the resident services; every call also counts as activity in the session. */
export function kioskHandlers(
  k: KioskServices,
  session: ResidentSession,
  catalogue: CatalogueEngine,
  auth: AuthorisationService,
  agent: AgentDesk,
): KioskHandlers {
  const touch = <T>(f: () => T) => {
    session.touch();
    return f();
  };
  return {
    'kiosk.person': () => touch(() => k.personView()),
    'kiosk.selectRecord': (i) => touch(async () => (await k.select(i.insutype), { ok: true as const })),
    'kiosk.settlements': () => touch(async () => ({ rows: await k.settlements() })),
    'kiosk.settlementDetail': (i) => touch(() => k.settlementDetail(i.setlId, i.mdtrtId)),
    'kiosk.cumulative': () => touch(async () => ({ rows: await k.cumulative() })),
    'kiosk.filings': () => touch(async () => ({ rows: await k.filings() })),
    'kiosk.options': (i) => ({
      options: (i.kind === 'chronic' ? CHRONIC_DISEASES : i.kind === 'designated' ? INSTITUTIONS : HOSPITALS).map(({ code, name }) => ({ code, name })),
    }),
    'kiosk.file': (i) => touch(() => k.file(i)),
    'kiosk.catalogue': () => ({ drugs: k.catalogue() }),
    'kiosk.estimate': (i) => touch(() => k.estimate(i.lines, i.medType)),
    'kiosk.policy': (i) => k.policy(i.locale),
    'kiosk.printCertificate': () => touch(() => k.printCertificate()),
    'kiosk.printJob': (i) => k.printJob(i.jobId),
    'kiosk.ssPin': (i) => touch(() => k.verifySsPin(i.pin)),
    'kiosk.contributions': () => touch(async () => ({ rows: await k.contributions() })),
    'kiosk.premiumOrder': (i) => touch(() => (i.orderId ? k.premiumOrder(i.orderId) : k.createPremiumOrder())),
    'kiosk.family': () => touch(async () => ({ members: await k.familyMembers(), relations: RELATIONS })),
    'kiosk.familyAwait': () => touch(() => k.awaitMember()),
    'kiosk.familyMember': () => k.memberStatus(),
    'kiosk.familyBind': (i) => touch(() => k.bindMember(i.relation)),
    'kiosk.familyBindChild': (i) => touch(() => k.bindChild(i)),
    'kiosk.familyUnbind': (i) => touch(() => k.unbindMember(i.psnNo)),
    'kiosk.agentAwait': () => touch(() => agent.await()),
    'kiosk.agentStatus': () => agent.view(),
    'kiosk.agentClear': () => touch(() => agent.clear()),
    ...authorisationHandlers(auth, session),
    'kiosk.services': () => touch(async () => ({ services: await catalogue.list() })),
    'kiosk.serviceOpen': (i) => touch(() => catalogue.open(i.id)),
    'kiosk.serviceSubmit': (i) => touch(() => catalogue.submit(i.ticket, i.values)),
    'kiosk.servicePrint': (i) => touch(() => catalogue.print(i.ticket)),
  };
}
