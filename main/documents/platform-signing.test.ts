/**
 * The platform simulator's side of signed documents (X9301, fixtures/platform/handlers/documents.ts)
 * over real HTTP: it signs 王建国's certificate for the institution that asks, at its own time,
 * and refuses what it cannot vouch for; its public key is published and survives a restart of a
 * simulator with a data directory, so papers it signed stay valid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { residentByName } from '../../fixtures/people/residents';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import { clientFor, TEST_TERMINAL } from '../platform/testing';
import { infTime } from '../platform/envelope';
import { canonicalDocument, documentPublicKey, sealedDocument, verifyDocument, type DocumentContent } from './signed-document';

const wang = residentByName('王建国');
let sim: PlatformSimulator;

const certificate = (over: Partial<DocumentContent> = {}): DocumentContent => ({
  kind: 'insurance-certificate',
  issuer: TEST_TERMINAL.fixmedinsCode,
  issuedAt: infTime(Date.now()),
  fields: [
    { label: '姓名', value: maskName(wang.name) },
    { label: '证件号码', value: maskIdNumber(wang.idNumber) },
    { label: '参保状态', value: '正常参保' },
  ],
  ...over,
});

async function publicKey(url: string) {
  return documentPublicKey(await (await fetch(`${url}/documents/public-key`)).text());
}

beforeAll(async () => {
  sim = await startPlatformSimulator();
});
afterAll(async () => {
  await sim?.close();
});

describe('X9301 文书签章', () => {
  it('signs 王建国’s certificate; the published key verifies it and names the same key id', async () => {
    const canonical = canonicalDocument(certificate());
    const r = await clientFor(sim.url).query('X9301', { data: { doc: canonical } });
    const { payload } = sealedDocument(canonical, r.sign.signature, r.sign.key_id);
    expect(verifyDocument(payload, await publicKey(sim.url))).toMatchObject({ ok: true, keyId: r.sign.key_id });
    const jwk = (await (await fetch(`${sim.url}/documents/public-key?format=jwk`)).json()) as { kty: string; crv: string; kid: string };
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: r.sign.key_id });
  });

  it.each([
    ['another institution as issuer', certificate({ issuer: 'H32010200002' }), '文书出具机构与发起交易的机构不符'],
    ['a time an hour ago', certificate({ issuedAt: infTime(Date.now() - 3600_000) }), '文书时间与平台时间不符'],
    [
      'a person it does not insure',
      certificate({
        fields: [
          { label: '姓名', value: '李*国' },
          { label: '证件号码', value: maskIdNumber(wang.idNumber) },
        ],
      }),
      '查无此人',
    ],
    ['a kind it does not sign', certificate({ kind: 'death-certificate' }), '平台不签章此类文书'],
  ])('refuses %s (business error, nothing signed)', async (_what, doc, message) => {
    const r = await clientFor(sim.url).send('X9301', { data: { doc: canonicalDocument(doc) } });
    expect(r).toMatchObject({ kind: 'business-error', message: expect.stringContaining(message) });
  });

  it('refuses a document that is not in canonical form', async () => {
    const spaced = JSON.stringify(JSON.parse(canonicalDocument(certificate())), null, 1);
    const r = await clientFor(sim.url).send('X9301', { data: { doc: spaced } });
    expect(r).toMatchObject({ kind: 'business-error', message: expect.stringContaining('文书格式错误') });
  });
});

describe("the simulator's key", () => {
  it('is kept in its data directory: after a restart papers it signed still verify', async () => {
    const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-sim-key-')), 'platform.sqlite');
    const first = await startPlatformSimulator({ dbFile });
    const canonical = canonicalDocument(certificate());
    let payload: string;
    try {
      const r = await clientFor(first.url).query('X9301', { data: { doc: canonical } });
      payload = sealedDocument(canonical, r.sign.signature, r.sign.key_id).payload;
    } finally {
      await first.close();
    }
    const again = await startPlatformSimulator({ dbFile });
    try {
      expect(verifyDocument(payload, await publicKey(again.url))).toMatchObject({ ok: true });
    } finally {
      await again.close();
    }
    // A simulator without a data directory has a key of its own.
    expect(verifyDocument(payload, await publicKey(sim.url))).toMatchObject({ ok: false, code: 'DOC_UNKNOWN_KEY' });
  });
});
