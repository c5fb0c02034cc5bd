/** The shape XREAD / XREADGROUP answer with, flattened to entries (fields null: deleted while pending). */
export type RawReply = [stream: string, entries: [id: string, fields: string[] | null][]][] | null;

export interface RawEntry {
  id: string;
  fields: string[] | null;
}

export function entriesOf(reply: RawReply): RawEntry[] {
  const entries: RawEntry[] = [];
  for (const [, items] of reply ?? []) {
    for (const [id, fields] of items) entries.push({ id, fields });
  }
  return entries;
}
