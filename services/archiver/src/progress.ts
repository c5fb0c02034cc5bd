/**
 * Upload progress for a person running the job by hand: one rewritten line on stderr (bytes sent,
 * rate) when stderr is a TTY; nothing under systemd, where the JSON log has one line per object.
 */
export type ProgressFn = (key: string, sentBytes: number, totalBytes: number) => void;

export function ttyProgress(stream: NodeJS.WriteStream = process.stderr): ProgressFn | undefined {
  if (!stream.isTTY) return undefined;
  let current = '';
  let startedAt = 0;
  return (key, sent, total) => {
    if (key !== current) {
      current = key;
      startedAt = Date.now();
    }
    const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
    const mb = (n: number) => (n / 1_048_576).toFixed(1);
    stream.write(`\r${key}: ${mb(sent)} / ${mb(total)} MB, ${mb(sent / seconds)} MB/s   `);
    if (sent >= total) stream.write('\n');
  };
}
