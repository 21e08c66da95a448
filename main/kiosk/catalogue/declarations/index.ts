/** Every service of the kiosk. A region adds or corrects a service by adding or editing a declaration. */
import type { ServiceDecl } from '../types';
import { APPLICATIONS } from './applications';
import { OWN_SCREENS } from './screens';
import { PAPERS } from './papers';
import { QUERIES } from './queries';

export const DECLARATIONS: readonly ServiceDecl[] = [...OWN_SCREENS, ...QUERIES, ...APPLICATIONS, ...PAPERS];
