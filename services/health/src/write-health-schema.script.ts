/** `npm run docs:health-schema`: rewrites the published JSON Schema of the health report from the zod schema. */
import { writeFileSync } from 'node:fs';
import { HEALTH_REPORT_SCHEMA_PATH, renderHealthReportJsonSchema } from './health-report-schema.js';

writeFileSync(new URL(`../../../${HEALTH_REPORT_SCHEMA_PATH}`, import.meta.url), renderHealthReportJsonSchema());
console.log(`wrote ${HEALTH_REPORT_SCHEMA_PATH}`);
