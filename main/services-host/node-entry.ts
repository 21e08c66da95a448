/** Entry of the services host forked by Node (see node-child.ts). */
import { nodeParentPort, runServicesHost } from './host';

runServicesHost(nodeParentPort());
