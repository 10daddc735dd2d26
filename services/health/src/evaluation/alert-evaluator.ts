import type { Alert, AlertSeverity } from '../../../core/src/domain/health-report.js';

/**
 * Prometheus-style alert evaluation, pure: a rule reports the conditions that hold now; a condition becomes a
 * firing alert only after it has held continuously for the rule's `forMs` (no flapping on one bad sample), and a
 * firing alert resolves once its condition has been false for `keepFiringForMs` (0 = on the first good round).
 * State is passed in and returned, so the monitor keeps it and tests drive time explicitly.
 */
export interface AlertCondition {
  /** Distinguishes instances of one rule (e.g. the repository); '' for a rule with a single instance. */
  key: string;
  message: string;
  labels?: Record<string, string>;
}

export interface AlertRule<O> {
  name: string;
  severity: AlertSeverity;
  forMs: number;
  keepFiringForMs: number;
  conditions(observations: O): AlertCondition[];
}

export interface AlertInstanceState {
  name: string;
  key: string;
  severity: AlertSeverity;
  message: string;
  labels?: Record<string, string>;
  /** When the condition started to hold (epoch ms). */
  activeSince: number;
  /** When it last held; used for keep-firing-for. */
  lastTrueAt: number;
  firing: boolean;
}

export type AlertState = ReadonlyMap<string, AlertInstanceState>;

export interface AlertEvaluation {
  state: AlertState;
  /** Firing alerts, in rule order, for the report. */
  firing: AlertInstanceState[];
  /** Instances that started firing in this round. */
  fired: AlertInstanceState[];
  /** Instances that stopped firing in this round. */
  resolved: AlertInstanceState[];
}

const instanceId = (name: string, key: string) => `${name}\u0000${key}`;

export function evaluateAlerts<O>(
  rules: readonly AlertRule<O>[],
  observations: O,
  previous: AlertState,
  now: number,
): AlertEvaluation {
  const state = new Map<string, AlertInstanceState>();
  const fired: AlertInstanceState[] = [];
  const resolved: AlertInstanceState[] = [];

  for (const rule of rules) {
    const holding = new Map(rule.conditions(observations).map((condition) => [condition.key, condition]));

    for (const condition of holding.values()) {
      const id = instanceId(rule.name, condition.key);
      const before = previous.get(id);
      const activeSince = before?.activeSince ?? now;
      const firing = now - activeSince >= rule.forMs;
      const instance: AlertInstanceState = {
        name: rule.name,
        key: condition.key,
        severity: rule.severity,
        message: condition.message,
        ...(condition.labels ? { labels: condition.labels } : {}),
        activeSince,
        lastTrueAt: now,
        firing,
      };
      state.set(id, instance);
      if (firing && !before?.firing) fired.push(instance);
    }

    for (const [id, before] of previous) {
      if (before.name !== rule.name || holding.has(before.key)) continue;
      if (before.firing && now - before.lastTrueAt < rule.keepFiringForMs) {
        state.set(id, before);
      } else if (before.firing) {
        resolved.push(before);
      }
      // A pending (not yet firing) instance whose condition stopped holding is simply forgotten.
    }
  }

  const firing = [...state.values()].filter((instance) => instance.firing);
  return { state, firing, fired, resolved };
}

/** The report's view of a firing alert. */
export function toReportAlert(instance: AlertInstanceState): Alert {
  return {
    name: instance.name,
    severity: instance.severity,
    message: instance.message,
    since: new Date(instance.activeSince).toISOString(),
    ...(instance.labels ? { labels: instance.labels } : {}),
  };
}
