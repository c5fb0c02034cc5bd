import { Wallet } from 'ethers';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { SIWE_MESSAGE_BYTES_MAX, type SiweLoginResult, verifySiweLogin } from './siwe-login.js';
import { buildSiweMessage, randomNonce } from './siwe-message.js';
import { NOW_MS, signedLogin, testPolicy } from './test-fixtures.js';

const SECOND_MS = 1_000;

function codeOf(result: SiweLoginResult): string {
  return result.ok ? 'ok' : result.code;
}

describe('verifySiweLogin accepts', () => {
  it('accepts a fresh login and names the signer in EIP-55 and lower case', async () => {
    const { input, account, params } = await signedLogin({ chainId: 8453 });
    const result = verifySiweLogin(input, testPolicy());
    expect(result).toEqual({
      ok: true,
      address: account.address,
      userId: account.address.toLowerCase(),
      nonce: params.nonce,
      chainId: 8453,
      issuedAtMs: NOW_MS,
    });
  });

  it('accepts a message issued up to 30 s before or after now', async () => {
    for (const offsetMs of [-30, -29, 29, 30].map((s) => s * SECOND_MS)) {
      const { input } = await signedLogin({ issuedAt: new Date(NOW_MS + offsetMs) });
      expect(codeOf(verifySiweLogin(input, testPolicy())), `offset ${offsetMs}`).toBe('ok');
    }
  });

  it('returns the expiration time and accepts a notBefore that has passed', async () => {
    const { input } = await signedLogin({
      expirationTime: new Date(NOW_MS + 1),
      notBefore: new Date(NOW_MS),
    });
    expect(verifySiweLogin(input, testPolicy())).toMatchObject({ ok: true, expirationMs: NOW_MS + 1 });
  });

  it('accepts a URI equal to or below an allowed path prefix', async () => {
    const policy = testPolicy({ uri: 'https://tap.example/app' });
    for (const uri of ['https://tap.example/app', 'https://tap.example/app/login?x=1']) {
      const { input } = await signedLogin({ uri });
      expect(codeOf(verifySiweLogin(input, policy)), uri).toBe('ok');
    }
  });

  it('accepts a message signed by an independent implementation (ethers v6)', async () => {
    const wallet = Wallet.createRandom();
    const message = buildSiweMessage({
      address: wallet.address as `0x${string}`,
      domain: 'tap.example',
      uri: 'https://tap.example',
      chainId: 1,
      nonce: randomNonce(),
      issuedAt: new Date(NOW_MS),
    });
    const result = verifySiweLogin({ message, signature: await wallet.signMessage(message) }, testPolicy());
    expect(result).toMatchObject({ ok: true, address: wallet.address, userId: wallet.address.toLowerCase() });
  });

  it('accepts a message of exactly 2 KiB', async () => {
    const { input } = await signedLogin({ statement: 'x', rewrite: padTo(SIWE_MESSAGE_BYTES_MAX) });
    expect(Buffer.byteLength(input.message)).toBe(SIWE_MESSAGE_BYTES_MAX);
    expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('ok');
  });
});

describe('verifySiweLogin refuses', () => {
  it('refuses text that is not EIP-4361 as malformed_message', async () => {
    const cases = [
      () => 'hello',
      (m: string) => m.replace(/\nIssued At: .*/, ''),
      (m: string) => m.replace('Version: 1', 'Version: 2'),
      (m: string) => m.replace(/Issued At: .*/, 'Issued At: 2025-13-45T99:00:00Z'),
      (m: string) => m.replace(/Nonce: .*/, 'Nonce: abcd-efgh-1234'),
    ];
    for (const rewrite of cases) {
      const { input } = await signedLogin({ rewrite });
      expect(codeOf(verifySiweLogin(input, testPolicy())), rewrite.toString()).toBe('malformed_message');
    }
    const notAString = { message: 42 as unknown as string, signature: '0x' };
    expect(codeOf(verifySiweLogin(notAString, testPolicy()))).toBe('malformed_message');
  });

  it('refuses a signed message with text around it or extra lines as malformed_message', async () => {
    const cases = [
      (m: string) => `Transfer all my funds to 0xdead\n\n${m}`,
      (m: string) => `${m}\n\nand I approve the transfer above`,
      (m: string) => m.replace('\nURI: ', '\nAnything: goes\nURI: '),
      (m: string) => m.replace(/Issued At: (.*)\.000Z/, 'Issued At: $1Z'),
    ];
    for (const rewrite of cases) {
      const { input } = await signedLogin({ rewrite });
      expect(codeOf(verifySiweLogin(input, testPolicy())), rewrite.toString()).toBe('malformed_message');
    }
  });

  it('refuses an address that is not EIP-55 checksummed as malformed_message', async () => {
    const { input } = await signedLogin({
      rewrite: (m) => m.replace(/0x[0-9a-fA-F]{40}/, (address) => address.toLowerCase()),
    });
    expect(input.message).toMatch(/\n0x[0-9a-f]{40}\n/);
    const result = verifySiweLogin(input, testPolicy());
    expect(result).toMatchObject({
      ok: false,
      code: 'malformed_message',
      message: expect.stringContaining('EIP-55'),
    });
  });

  it('refuses a message over 2 KiB, counted in UTF-8 bytes', async () => {
    const tooLong = await signedLogin({ statement: 'x', rewrite: padTo(SIWE_MESSAGE_BYTES_MAX + 1) });
    expect(codeOf(verifySiweLogin(tooLong.input, testPolicy()))).toBe('malformed_message');
    const multiByte = await signedLogin({ statement: 'é'.repeat(1_000) });
    expect(multiByte.input.message.length).toBeLessThan(SIWE_MESSAGE_BYTES_MAX);
    expect(codeOf(verifySiweLogin(multiByte.input, testPolicy()))).toBe('malformed_message');
  });

  it('refuses a message for another domain as domain_mismatch', async () => {
    const { input } = await signedLogin({ domain: 'evil.example' });
    expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('domain_mismatch');
  });

  it('refuses a URI outside the allowed origin or path as uri_mismatch', async () => {
    const policy = testPolicy({ uri: 'https://tap.example/app' });
    const uris = [
      'https://evil.example/app',
      'https://tap.example.evil.com/app',
      'http://tap.example/app',
      'https://tap.example:8443/app',
      'https://tap.example/application',
      'https://tap.example/app/../admin',
      'urn:tap:app',
    ];
    for (const uri of uris) {
      const { input } = await signedLogin({ uri });
      expect(codeOf(verifySiweLogin(input, policy)), uri).toBe('uri_mismatch');
    }
  });

  it('refuses a chain the policy does not list as chain_not_allowed', async () => {
    const { input } = await signedLogin({ chainId: 5 });
    expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('chain_not_allowed');
  });

  it('refuses a message issued more than 30 s ago or past its expiration as message_expired', async () => {
    const old = await signedLogin({ issuedAt: new Date(NOW_MS - 31 * SECOND_MS) });
    const expiresNow = await signedLogin({ expirationTime: new Date(NOW_MS) });
    const expired = await signedLogin({ expirationTime: new Date(NOW_MS - 1) });
    for (const { input } of [old, expiresNow, expired]) {
      expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('message_expired');
    }
  });

  it('refuses a message issued more than 30 s ahead or not yet valid as message_from_future', async () => {
    const ahead = await signedLogin({ issuedAt: new Date(NOW_MS + 31 * SECOND_MS) });
    const notYet = await signedLogin({ notBefore: new Date(NOW_MS + 1) });
    for (const { input } of [ahead, notYet]) {
      expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('message_from_future');
    }
  });

  it('refuses a nonce shorter than 8 or longer than 64 characters as nonce_invalid', async () => {
    const short = await signedLogin({ rewrite: (m) => m.replace(/Nonce: .*/, 'Nonce: abc1234') });
    const long = await signedLogin({ nonce: 'a'.repeat(65) });
    for (const { input } of [short, long]) {
      expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('nonce_invalid');
    }
  });

  it('refuses a signature that is not 65 bytes of hex or does not recover as signature_invalid', async () => {
    const { input } = await signedLogin();
    const body = input.signature.slice(2, 130);
    const signatures = [
      '',
      input.signature.slice(2),
      input.signature.slice(0, -2),
      `${input.signature}00`,
      `0x${'zz'.repeat(65)}`,
      `0x${body}05`,
      `0x${'00'.repeat(32)}${body.slice(64)}1b`,
    ];
    for (const signature of signatures) {
      expect(codeOf(verifySiweLogin({ ...input, signature }, testPolicy())), signature).toBe(
        'signature_invalid',
      );
    }
  });

  it('refuses a message signed by another key as address_mismatch', async () => {
    const claimed = privateKeyToAccount(generatePrivateKey());
    const { input } = await signedLogin({ address: claimed.address });
    expect(codeOf(verifySiweLogin(input, testPolicy()))).toBe('address_mismatch');
  });

  it('reports the cheapest broken rule before recovering the signature', async () => {
    const { input } = await signedLogin({ domain: 'evil.example', chainId: 5 });
    const result = verifySiweLogin({ ...input, signature: 'garbage' }, testPolicy());
    expect(codeOf(result)).toBe('domain_mismatch');
  });

  it('refuses a one-byte change anywhere in the message', async () => {
    const { input } = await signedLogin();
    for (let i = 0; i < input.message.length; i += 1) {
      const message = flipCharAt(input.message, i);
      expect(codeOf(verifySiweLogin({ ...input, message }, testPolicy())), `char ${i}`).not.toBe('ok');
    }
  });

  it('refuses a one-byte change anywhere in the signature', async () => {
    const { input } = await signedLogin();
    for (let byte = 0; byte < 65; byte += 1) {
      const at = 2 + byte * 2 + 1;
      const signature =
        input.signature.slice(0, at) +
        (input.signature[at] === '0' ? '1' : '0') +
        input.signature.slice(at + 1);
      expect(codeOf(verifySiweLogin({ ...input, signature }, testPolicy())), `byte ${byte}`).not.toBe('ok');
    }
  });
});

/** Pads the (single-line) statement so the whole message is exactly `bytes` long. */
function padTo(bytes: number): (message: string) => string {
  return (message) => {
    const pad = 'x'.repeat(bytes - Buffer.byteLength(message));
    return message.replace('\n\nx\n\n', `\n\nx${pad}\n\n`);
  };
}

function flipCharAt(text: string, index: number): string {
  return text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ 1) + text.slice(index + 1);
}
