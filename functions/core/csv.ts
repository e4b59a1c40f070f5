/**
 * CSV (RFC 4180) for spreadsheets. A cell that a spreadsheet would run as a formula (one starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return: OWASP's "CSV injection") gets a leading `'`, so it is shown as
 * text; a cell holding a comma, a quote or a line break is quoted, its quotes doubled.
 */
const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (formulaStart.test(text)) text = `'${text}`;
  return needsQuotes.test(text) || text.startsWith("'") ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV lines ended by CRLF, the header first. */
export function csvOf(header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
