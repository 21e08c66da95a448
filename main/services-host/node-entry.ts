/** Entry of the services host forked by Node (see node-child.ts). */
import { nodeParentPort, runServicesHost } from './host';

// A services host whose supervisor is gone (killed, crashed) has no one to answer: it ends too,
// and with it the simulated devices' children, instead of holding the ports and the data.
process.on('disconnect', () => process.exit(0));
runServicesHost(nodeParentPort());
