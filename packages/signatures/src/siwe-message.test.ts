import { parseSiweMessage } from 'viem/siwe';
import { describe, expect, it } from 'vitest';
import { buildSiweMessage, randomNonce } from './siwe-message.js';

describe('randomNonce', () => {
  it('draws 24 alphanumerics by default and honours a length', () => {
    expect(randomNonce()).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(randomNonce(64)).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('never repeats across many draws', () => {
    const nonces = new Set(Array.from({ length: 10_000 }, () => randomNonce(16)));
    expect(nonces.size).toBe(10_000);
  });

  it('refuses a length that would make a weak or oversized nonce', () => {
    expect(() => randomNonce(8)).toThrow();
    expect(() => randomNonce(65)).toThrow();
  });
});

describe('buildSiweMessage', () => {
  it('builds EIP-4361 text that parses back to its fields', () => {
    const fields = {
      address: '0xA0Cf798816D4b9b9866b5330EEa46a18382f251e',
      domain: 'tap.example',
      uri: 'https://tap.example/login',
      chainId: 8453,
      nonce: 'abcdEFGH1234',
      issuedAt: new Date('2025-06-01T12:00:00.000Z'),
      expirationTime: new Date('2025-06-01T12:05:00.000Z'),
      statement: 'Sign in to BTC Tap',
    } as const;
    const message = buildSiweMessage(fields);
    expect(message.startsWith('tap.example wants you to sign in with your Ethereum account:\n')).toBe(true);
    expect(parseSiweMessage(message)).toMatchObject({ ...fields, version: '1' });
  });

  it('throws on a field EIP-4361 forbids', () => {
    const base = {
      address: '0xA0Cf798816D4b9b9866b5330EEa46a18382f251e',
      domain: 'tap.example',
      uri: 'https://tap.example',
    } as const;
    expect(() => buildSiweMessage({ ...base, chainId: 1, nonce: 'short', issuedAt: new Date() })).toThrow();
  });
});
