import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('archiver loadConfig', () => {
  it('defaults to the archive mode', () => {
    const result = loadConfig({}, []);
    expect(result.ok && result.config.MODE).toBe('archive');
  });

  it('names every bad variable and a bad mode together', () => {
    const result = loadConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'not a url', S3_ACCESS_KEY_ID: 'x' }, [
      'restore-all',
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const named = result.problems.map((p) => p.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'S3_BUCKET',
        'S3_ENDPOINT',
        'argv[2]',
        'S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY',
      ]),
    );
  });
});
