import pkg from '../../package.json' with { type: 'json' };

/**
 * The version this process runs: the release its launcher started (`estation launch` says which,
 * from the release's own checked release file), else the package's.
 */
const launched = process.env.ESTATION_RELEASE_VERSION;
export const appVersion: string = launched && /^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/.test(launched) ? launched : pkg.version;
