/** Kubernetes resource quantities (`500m`, `1Gi`, `2e3`) as numbers, for comparisons CEL cannot make in our parser. */
const SUFFIX_FACTORS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function parseQuantity(quantity: string): number {
  const match =
    /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?(?:\d+(?:\.\d*)?|\.\d+))|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(
      quantity.trim(),
    );
  if (!match) throw new RangeError(`not a Kubernetes quantity: ${quantity}`);
  const value = Number(match[1]);
  if (match[2] !== undefined) return value * 10 ** Number(match[2].slice(1));
  return value * SUFFIX_FACTORS[match[3] ?? '']!;
}
