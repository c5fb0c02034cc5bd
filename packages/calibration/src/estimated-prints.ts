/**
 * Stored prints with σ and η as ingest-api would have read them: price-ingest's estimator
 * (`@tap/pricing`'s reducer) run over them in order, because stored prints carry no η and their σ
 * may be an older pricing version's. Used for recorded files and stored segments alike.
 * `withFilteredIndex` adds the filtered index price-ingest prints with `INDEX_FILTER=on`, from the
 * same reducer and the σ and η on each print.
 */
import type { PrintEntry } from '@tap/domain';
import {
  createSigmaEstimator,
  DEFAULT_PRICING_CONFIG,
  filteredIndexOf,
  type IndexFilterState,
  nextIndexFilterState,
} from '@tap/pricing';

export function withEstimates(prints: readonly PrintEntry[]): PrintEntry[] {
  const sigma = createSigmaEstimator(DEFAULT_PRICING_CONFIG);
  return prints.map((print) => {
    const sigmaNow = sigma.update(print.t, print.priceCents);
    return { ...print, sigma: sigmaNow, noise: sigma.noise() };
  });
}

export function withFilteredIndex(prints: readonly PrintEntry[]): PrintEntry[] {
  let state: IndexFilterState | null = null;
  return prints.map((print) => {
    state = nextIndexFilterState(state, print.t, print.priceCents, print.sigma, print.noise ?? 0);
    return state === null ? print : { ...print, ...filteredIndexOf(state) };
  });
}
