/**
 * The resident services as one module: the services and their bridge handlers, the delivery of
 * filings and other record changes through the outbox, certificates on the printer. The
 * composition root builds it only on a terminal in kiosk mode.
 */
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { DeviceManager } from '../devices/manager';
import type { Identity } from '../devices/identity';
import type { Drainer } from '../outbox/drainer';
import type { Outbox } from '../outbox/outbox';
import type { PlatformClient } from '../platform/client';
import type { DrugCatalogue } from '../policy/catalogue';
import type { RegionPolicy } from '../policy/types';
import type { ResidentSession } from '../session/session';
import { kioskHandlers } from './handlers';
import { recordDelivery } from './record';
import { KioskServices } from './services';
import { CatalogueEngine } from './catalogue/engine';
import { DECLARATIONS } from './catalogue/declarations';
import { AuthorisationService } from './authorisation/service';
import type { ServiceDecl } from './catalogue/types';
import { AgentDesk } from './agent';

export interface KioskDeps {
  session: ResidentSession;
  client: PlatformClient;
  outbox: Outbox;
  drainer: Drainer;
  devices: DeviceManager;
  policies: RegionPolicy[];
  catalogue: DrugCatalogue;
  terminal: { admdvs: string; name: string; institutionCode: string };
  clock: Clock;
  log: Logger;
  /** Declarations a region adds to (or corrects in) the built-in catalogue, matched by id. */
  extraServices?: readonly ServiceDecl[];
  /** Whether the person has face templates enrolled here (then a consent is confirmed by face, the stronger factor). */
  faceEnrolled?: (id: Identity) => boolean;
}

export interface KioskModule {
  services: KioskServices;
  catalogue: CatalogueEngine;
  authorisation: AuthorisationService;
  /** 亲友代办: the helper who proved themselves for this session. */
  agent: AgentDesk;
  handlers: ReturnType<typeof kioskHandlers>;
  /** A credential shown while a resident binds a family member (or waits for a helper) is theirs, not a new session. */
  offerMember(id: Identity): boolean;
  /** Whether a scanned e-voucher should be decoded now (nobody identified, or a member awaited). */
  wantsScan(): boolean;
}

/** Filings and other record changes, for every terminal's drainer. */
export function registerKioskDeliveries(drainer: Drainer, client: PlatformClient): void {
  drainer.register(recordDelivery(client));
}

export function createKiosk(d: KioskDeps): KioskModule {
  const services = new KioskServices(
    d.session,
    d.client,
    d.outbox,
    d.drainer,
    d.devices,
    d.policies,
    d.catalogue,
    d.terminal,
    d.clock,
    d.log.child({ component: 'kiosk' }),
  );
  const agent = new AgentDesk(d.session, d.log.child({ component: 'agent' }));
  const extra = new Map((d.extraServices ?? []).map((x) => [x.id, x]));
  const catalogue = new CatalogueEngine({
    declarations: [...DECLARATIONS.filter((x) => !extra.has(x.id)), ...extra.values()],
    session: d.session,
    client: d.client,
    outbox: d.outbox,
    drainer: d.drainer,
    clock: d.clock,
    log: d.log.child({ component: 'services' }),
    person: () => services.cataloguePerson(),
    print: (title, lines) => services.printPaper(title, lines),
    verifyWindowMs: 3 * 60_000,
    agent: () => agent.current,
  });
  const authorisation = new AuthorisationService({
    session: d.session,
    client: d.client,
    outbox: d.outbox,
    drainer: d.drainer,
    devices: d.devices,
    terminal: d.terminal,
    clock: d.clock,
    log: d.log.child({ component: 'authorisation' }),
    person: () => services.cataloguePerson(),
    ...(d.faceEnrolled ? { faceEnrolled: d.faceEnrolled } : {}),
  });
  return {
    services,
    catalogue,
    authorisation,
    agent,
    handlers: kioskHandlers(services, d.session, catalogue, authorisation, agent),
    offerMember: (id) => services.offerMember(id) || agent.offer(id),
    wantsScan: () => !d.session.current || services.awaitingMember || agent.awaiting,
  };
}
