/** Skips the current suite (called from a `before` hook) with a reason printed on one loud line. */
export function skipSuite(context: Mocha.Context, reason: string): never {
  const title = context.test?.parent?.fullTitle() ?? 'suite';
  console.warn(`\n  *** SKIPPED "${title}": ${reason} ***\n`);
  context.skip();
}
