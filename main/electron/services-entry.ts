/**
 * Entry of the services host inside an Electron utility process: the same runServicesHost as the
 * forked Node child, over `process.parentPort`. Nothing here needs the electron module.
 */
import type {} from 'electron';
import { runServicesHost } from '../services-host/host';

const port = process.parentPort;
runServicesHost({
  onMessage: (listener) => void port.on('message', (e) => listener(e.data)),
  postMessage: (m) => port.postMessage(m),
});
