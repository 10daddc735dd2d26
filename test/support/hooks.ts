/**
 * Mocha root hooks shared by every suite. Fixtures that start real processes (Postgres, Chroma, the Kubernetes
 * control plane) register their teardown here so it runs once, after the whole run, even when tests fail.
 */
type Teardown = () => Promise<void>;

const teardowns: Teardown[] = [];

export function registerTeardown(teardown: Teardown): void {
  teardowns.push(teardown);
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    // Last started, first stopped: later fixtures may depend on earlier ones.
    for (const teardown of teardowns.splice(0).reverse()) {
      await teardown().catch((error: unknown) => console.error('teardown failed:', error));
    }
  },
};
