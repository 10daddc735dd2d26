import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlCheck {
  /** Syntax errors, as "offset N: …near…"; empty when the expression parses. */
  errors: string[];
  /** Metric names the expression selects (instant and range selectors). */
  metrics: string[];
}

/** Parses PromQL with Prometheus' own lezer grammar (the one its UI uses) and lists the selected metric names. */
export function checkPromql(expr: string): PromqlCheck {
  const errors: string[] = [];
  const metrics = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`offset ${node.from}: near "${expr.slice(Math.max(0, node.from - 20), node.to + 20)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        metrics.add(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics: [...metrics] };
}

/** Every PromQL expression of a Grafana dashboard, with its panel title. */
export function dashboardExpressions(dashboard: unknown): { panel: string; expr: string }[] {
  const found: { panel: string; expr: string }[] = [];
  const visit = (panels: unknown) => {
    for (const panel of (panels as { title?: string; targets?: { expr?: string }[]; panels?: unknown }[]) ?? []) {
      for (const target of panel.targets ?? [])
        if (target.expr) found.push({ panel: panel.title ?? '?', expr: target.expr });
      visit(panel.panels);
    }
  };
  visit((dashboard as { panels?: unknown }).panels);
  return found;
}
