/**
 * The order of the case list the worker came from, for `j` and `k` (next and previous case).
 * The list writes it whenever it shows rows; a case screen reads it. When the open case has
 * left the list (answered, so no longer waiting), its neighbours are found from where it stood.
 */
export interface CaseOrder {
  cases: number[];
}

/**
 * The case `step` places from `current` in `order` (+1 next, -1 previous), or null at either
 * end. `lastIndex` is where `current` stood when it was opened, used when it is no longer listed:
 * the case that slid into its place is the next one.
 */
export function neighbourCase(
  order: readonly number[],
  current: number | null,
  step: 1 | -1,
  lastIndex: number | null = null,
): number | null {
  if (order.length === 0) return null;
  if (current === null) return step === 1 ? order[0]! : null;
  const index = order.indexOf(current);
  let target: number;
  if (index >= 0) target = index + step;
  else if (lastIndex !== null) target = step === 1 ? lastIndex : lastIndex - 1;
  else return null;
  return target >= 0 && target < order.length ? order[target]! : null;
}
