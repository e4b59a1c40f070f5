process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { delimiter } from 'node:path';
import { describeLeaks, findLeaks, readSensitiveValues, sensitiveValuesFileVariable } from './leak-scan.js';
import { logHaystacks, mailHaystacks, tableHaystacks } from './stack-haystacks.js';

/**
 * The global teardown's "nothing leaks" scan, run as its own process under tsx (Jest loads global
 * teardown modules outside its module mapping, where this TypeScript cannot be imported): every item of
 * the table, every line the stack has logged so far and every email it sent, against the run's ledger of
 * sensitive values.
 * Exit 0: nothing found; 1: leaks (the report names kinds and places, never a value); 2: the scan failed.
 */
async function main(): Promise<number> {
  const required = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const values = readSensitiveValues(required(sensitiveValuesFileVariable));
  const demoAdminPassword = process.env.TWOFA_DEMO_ADMIN_PASSWORD;
  if (demoAdminPassword) values.push({ kind: 'password', value: demoAdminPassword });
  const table = await tableHaystacks(required('TWOFA_DYNAMODB_ENDPOINT'), required('TWOFA_TABLE_NAME'));
  const logLines = required('TWOFA_STACK_LOG_FILES').split(delimiter).flatMap(logHaystacks);
  const mail = mailHaystacks(required('TWOFA_MAIL_DIR'));
  const leaks = findLeaks([...table, ...logLines, ...mail], values);
  if (leaks.length > 0) {
    console.error(describeLeaks(leaks));
    return 1;
  }
  console.log(
    `nothing leaks: ${values.length} sensitive values, none in ${table.length} table attributes, ${logLines.length} stack log lines or ${mail.length} mail files`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`the scan failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
