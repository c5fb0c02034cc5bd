/**
 * The standard normal CDF `N(x)` in plain double arithmetic, no dependencies.
 *
 * Algorithm: W. J. Cody's rational Chebyshev approximations of the normal integral, the ANORM
 * routine of W. J. Cody, "Algorithm 715: SPECFUN", ACM TOMS 19 (1993) 22–32, after Cody,
 * "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–637 — the
 * same coefficients R's `pnorm` uses. Three ranges: |x| ≤ 0.674 (a rational function of x²),
 * |x| ≤ √32 and beyond (rational functions in |x| and 1/x² times exp(−x²/2)). Each tail is
 * computed directly, never as `1 − something`, so N(−x) keeps about 1e-16 *relative* accuracy
 * down to its underflow at x ≈ −37.5; N(x) for x > 0 has about 1e-16 absolute accuracy.
 */

const SMALL_LIMIT = 0.67448975;
const SQRT_32 = 5.656854249492381;
const TAIL_UNDERFLOW = 37.5193;
const INV_SQRT_2PI = 0.3989422804014327;

// Cody's published 20-digit coefficients, written as the doubles they round to (the values a
// compiler would use anyway).
const A = [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356];
const A4 = 0.06568233791820745;
const B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
const C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726,
  6848.190450536283, 11602.65143764735, 9842.714838383978,
];
const C8 = 1.0765576773720192e-8;
const D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097,
  34900.95272114598, 38912.00328609327, 19685.429676859992,
];
const P = [0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934];
const P4 = 2.9112874951168793e-5;
const P5 = 0.023073441764940174;
const Q = [1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824];
const Q4 = 7.297515550839662e-5;

/** Standard normal cumulative distribution function `N(x) = P(Z ≤ x)`. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= SMALL_LIMIT) return 0.5 + centralOffset(x);
  const upperTail = upperTailOf(y);
  return x > 0 ? 1 - upperTail : upperTail;
}

/** `N(x) − ½` for |x| ≤ 0.674. */
function centralOffset(x: number): number {
  const xsq = x * x;
  let num = A4 * xsq;
  let den = xsq;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]!) * xsq;
    den = (den + B[i]!) * xsq;
  }
  return (x * (num + A[3]!)) / (den + B[3]!);
}

/** `P(Z > y)` for y > 0.674. */
function upperTailOf(y: number): number {
  if (y >= TAIL_UNDERFLOW) return 0;
  if (y <= SQRT_32) {
    let num = C8 * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y;
      den = (den + D[i]!) * y;
    }
    return scaleByDensity(y, (num + C[7]!) / (den + D[7]!));
  }
  const xsq = 1 / (y * y);
  let num = P5 * xsq;
  let den = xsq;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]!) * xsq;
    den = (den + Q[i]!) * xsq;
  }
  const ratio = (xsq * (num + P4)) / (den + Q4);
  return scaleByDensity(y, (INV_SQRT_2PI - ratio) / y);
}

/**
 * `exp(−y²/2) · factor`, with y² split into an exactly representable part (y rounded down to a
 * sixteenth) and a small remainder, so the exponent keeps full precision for large y (Cody's trick).
 */
function scaleByDensity(y: number, factor: number): number {
  const ySixteenths = Math.trunc(y * 16) / 16;
  const remainder = (y - ySixteenths) * (y + ySixteenths);
  return Math.exp(-ySixteenths * ySixteenths * 0.5) * Math.exp(-remainder * 0.5) * factor;
}
