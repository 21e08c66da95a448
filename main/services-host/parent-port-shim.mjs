// Test-only: gives a forked Node child the `process.parentPort` an Electron utility process has,
// so the Electron build's own services bundle (out/main/services.js) runs under plain Node.
process.parentPort = {
  on(event, listener) {
    if (event === 'message') process.on('message', (data) => listener({ data }));
  },
  postMessage(message) {
    process.send(message);
  },
};
