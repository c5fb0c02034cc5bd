/** Command results go to stdout: JSON with `--json` (one document), else aligned text for people. */
export interface Output {
  json: boolean;
  write(line: string): void;
}

export function emit(out: Output, value: unknown, text: () => string[]): void {
  if (out.json) out.write(JSON.stringify(value, null, 2));
  else for (const line of text()) out.write(line);
}

/** `label  value` lines with the labels padded to one width. */
export function fields(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}
