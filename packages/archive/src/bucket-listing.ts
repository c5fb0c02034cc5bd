/** Listing and deleting keys under a prefix, page by page (1,000 keys per request), retried. */
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { withRetry } from './retry.js';
import type { TransferContext } from './transfer.js';

export async function listKeys(ctx: TransferContext, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await withRetry(
      `list ${prefix}`,
      () =>
        ctx.s3.send(
          new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, ContinuationToken: token }),
          { abortSignal: ctx.signal },
        ),
      { policy: ctx.retry, signal: ctx.signal, onRetry: ctx.onRetry },
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function deleteKeys(ctx: TransferContext, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1_000) {
    const chunk = keys.slice(i, i + 1_000);
    const res = await withRetry(
      'delete backups',
      () =>
        ctx.s3.send(
          new DeleteObjectsCommand({
            Bucket: ctx.bucket,
            Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
          }),
          { abortSignal: ctx.signal },
        ),
      { policy: ctx.retry, signal: ctx.signal, onRetry: ctx.onRetry },
    );
    if (res.Errors && res.Errors.length > 0) {
      throw new Error(`could not delete ${res.Errors.map((e) => `${e.Key}: ${e.Code}`).join(', ')}`);
    }
  }
}
