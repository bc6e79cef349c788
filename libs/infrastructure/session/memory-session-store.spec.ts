import type { SessionData } from '@tessera/application/session/session';
import { newId } from '@tessera/domain/shared/ids';
import { sessionData } from '@tessera/testing/session-fixtures';
import { MemorySessionStore } from './memory-session-store';

const data = (over: Partial<SessionData> = {}): SessionData =>
  sessionData({ email: null, name: null, ...over });

describe('MemorySessionStore', () => {
  afterEach(() => jest.useRealTimers());

  it('an id works until destroyed; the store keys by hash, and a forged tenant prefix fails', async () => {
    const store = new MemorySessionStore({ idleTtl: 60, absoluteTtl: 3600, pendingLoginTtl: 60 });
    const d = data();
    const { id, idHash } = await store.create(d);
    expect(idHash).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain(idHash);
    await expect(store.get(id)).resolves.toMatchObject({ userId: d.userId, idHash });
    const secret = id.split('.')[1]!;
    await expect(store.get(`${newId('tenant')}.${secret}`)).resolves.toBeNull();
    await store.destroy(id);
    await expect(store.get(id)).resolves.toBeNull();
  });

  it('idle timeout slides with use; the absolute timeout does not', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const store = new MemorySessionStore({ idleTtl: 60, absoluteTtl: 150, pendingLoginTtl: 60 });
    const { id } = await store.create(data({ createdAt: Date.now() }));
    for (let i = 0; i < 2; i++) {
      jest.advanceTimersByTime(50_000);
      await expect(store.get(id)).resolves.not.toBeNull();
    }
    jest.advanceTimersByTime(51_000);
    await expect(store.get(id)).resolves.toBeNull();

    const idle = await store.create(data({ createdAt: Date.now() }));
    jest.advanceTimersByTime(61_000);
    await expect(store.get(idle.id)).resolves.toBeNull();
  });

  it('a pending login is single-use', async () => {
    const store = new MemorySessionStore({ idleTtl: 60, absoluteTtl: 3600, pendingLoginTtl: 60 });
    const p = {
      tenantSlug: 'a',
      returnTo: '/',
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
      createdAt: 0,
    };
    const id = await store.savePending(p);
    await expect(store.takePending(id)).resolves.toEqual(p);
    await expect(store.takePending(id)).resolves.toBeNull();
    await expect(store.takePending('not-an-id')).resolves.toBeNull();
  });

  it('back-channel logout: by sid ends that IdP session only; by sub every session of the user', async () => {
    const store = new MemorySessionStore({ idleTtl: 60, absoluteTtl: 3600, pendingLoginTtl: 60 });
    const iss = 'https://idp.test/application/o/tessera/';
    const a = await store.create(data({ issuer: iss, subject: 'u1', idpSid: 'sid-a' }));
    const b = await store.create(data({ issuer: iss, subject: 'u1', idpSid: 'sid-b' }));
    const c = await store.create(data({ issuer: iss, subject: 'u2', idpSid: 'sid-c' }));
    const elsewhere = await store.create(data({ issuer: 'https://other.test/', subject: 'u1' }));
    const count = async (m: { sid?: string; subject?: string }) =>
      (await store.endIdpSessions(iss, m)).length;
    await expect(count({ sid: 'sid-a', subject: 'u2' })).resolves.toBe(0);
    await expect(count({ sid: 'sid-a' })).resolves.toBe(1);
    await expect(store.get(a.id)).resolves.toBeNull();
    await expect(store.get(b.id)).resolves.not.toBeNull();
    await expect(count({ subject: 'u1' })).resolves.toBe(1);
    await expect(store.get(b.id)).resolves.toBeNull();
    await expect(store.get(c.id)).resolves.not.toBeNull();
    await expect(store.get(elsewhere.id)).resolves.not.toBeNull();
    await expect(count({})).resolves.toBe(0);
  });
});
