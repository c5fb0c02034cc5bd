/**
 * One HTTP request on an undici Pool through its low-level dispatch API: about a third less CPU per
 * request than `pool.request()` (no body stream per answer), which matters when the generator
 * shares two cores with the stack it measures.
 */
import type { Dispatcher, Pool } from 'undici';

export type Request = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
};

export function send(
  pool: Pool,
  options: Request,
  onAnswer: (status: number, text: string) => void,
  onFailure: (err: { code?: string; name?: string }) => void,
): void {
  let status = 0;
  const chunks: Buffer[] = [];
  const handler = {
    onConnect() {},
    onUpgrade() {},
    onError: onFailure,
    onHeaders(statusCode: number) {
      status = statusCode;
      return true;
    },
    onData(chunk: Buffer) {
      chunks.push(chunk);
      return true;
    },
    onComplete() {
      onAnswer(status, chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString());
    },
  };
  pool.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
}
