import { z } from 'zod';
import { healthReportSchema } from '../../core/src/domain/health-report.js';

/** Path of the published JSON Schema, relative to the repository root. */
export const HEALTH_REPORT_SCHEMA_PATH = 'services/health/schema/health-report.schema.json';

/** The published JSON Schema of `GET /api/v1/health`, generated from the zod schema the service and CLI use. */
export function renderHealthReportJsonSchema(): string {
  const schema = z.toJSONSchema(healthReportSchema, { io: 'output', target: 'draft-2020-12' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
