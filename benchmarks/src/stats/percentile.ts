/**
 * The p-th percentile of plain numbers by nearest rank (the value at floor(p% × n) of the sorted
 * list): for the few scenarios that keep raw samples rather than an HDR histogram (stats/histogram.ts).
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
