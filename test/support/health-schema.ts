/** Validates documents against the published JSON Schema of the health report (ajv, draft 2020-12, formats). */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const schemaUrl = new URL('../../services/health/schema/health-report.schema.json', import.meta.url);

export const publishedHealthSchema: unknown = JSON.parse(readFileSync(schemaUrl, 'utf8'));

// ajv-formats is CommonJS: the ESM default import is module.exports, whose `.default` is the plugin.
const addFormats = addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(publishedHealthSchema as object);

/** The schema errors of `document`, as readable lines; empty when it validates. */
export function healthSchemaErrors(document: unknown): string[] {
  return validate(document)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
