/** The least-squares line through (x, y) points: how fast y grows per unit of x, and its mean. */
export interface Trend {
  slope: number;
  mean: number;
}

export function trend(points: readonly { x: number; y: number }[]): Trend | undefined {
  if (points.length < 2) return undefined;
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const mean = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let varianceX = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - mean);
    varianceX += (p.x - meanX) ** 2;
  }
  if (varianceX === 0) return undefined;
  return { slope: covariance / varianceX, mean };
}
