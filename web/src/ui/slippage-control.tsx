/**
 * The slippage tolerance selector beside the stake (bets/slippage.ts): how far below the cell's
 * multiplier a bet may still fill. The choice is kept in localStorage; until the trader makes one,
 * the default follows how the server fills (bets/slippage.ts). The hint says how this server prices
 * (`GET /v1/me`'s `fill`, then each 202: `entry: "next_print"` or a multiplier).
 */
import { formatTolerance, saveTolerance, TOLERANCES_BP, type ToleranceBp } from '../bets/slippage.js';

export function SlippageControl(props: {
  toleranceBp: ToleranceBp;
  onChange(toleranceBp: ToleranceBp): void;
  /** True when bets are priced at a later print (`GET /v1/me`'s `fill`, then each 202), null while unknown. */
  nextPrintEntry: boolean | null;
}) {
  const choose = (toleranceBp: ToleranceBp) => {
    saveTolerance(globalThis.localStorage, toleranceBp);
    props.onChange(toleranceBp);
  };
  return (
    <>
      <span id="slippage-label">Slippage</span>
      <div
        role="radiogroup"
        aria-labelledby="slippage-label"
        aria-describedby="slippage-hint"
        className="stakes"
        data-testid="slippage"
      >
        {TOLERANCES_BP.map((bp) => (
          // biome-ignore lint/a11y/useSemanticElements: the same row of buttons as the stakes.
          <button
            key={bp}
            type="button"
            role="radio"
            aria-checked={props.toleranceBp === bp}
            data-tolerance-bp={bp}
            onClick={() => choose(bp)}
          >
            {formatTolerance(bp)}
          </button>
        ))}
      </div>
      <span id="slippage-hint" className="hint">
        {hintOf(props.toleranceBp, props.nextPrintEntry)}
      </span>
    </>
  );
}

function hintOf(toleranceBp: number, nextPrintEntry: boolean | null): string {
  const rule =
    toleranceBp === 0
      ? 'A bet fills only at the multiplier shown or better.'
      : `A bet fills down to ${formatTolerance(toleranceBp)} below the multiplier shown, else it is refused and no money moves.`;
  if (nextPrintEntry === true) return `${rule} This server prices bets at a print after your tap.`;
  return rule;
}
