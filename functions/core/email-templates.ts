/**
 * The security emails' one layout, rendered as plain text and as HTML from the same content. Every value goes
 * into the HTML through `html`, which escapes it, so an app named `<script>` is shown, never run. No links:
 * a security email that asks nobody to click anything cannot be copied into a phishing one.
 */

/** HTML known to be safe: made by `html` (values escaped), never from a plain string. */
export class SafeHtml {
  private constructor(readonly markup: string) {}

  /** Only `html` makes one. */
  static trusted(markup: string): SafeHtml {
    return new SafeHtml(markup);
  }
}

type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEntities[character] ?? character);
}

function markupOf(value: HtmlValue): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(markupOf).join('');
  return '';
}

/** A tagged template: the literal parts are markup, every interpolated value is escaped (unless it is `SafeHtml`). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  return SafeHtml.trusted(
    strings.reduce((markup, part, index) => markup + part + (index < values.length ? markupOf(values[index]) : ''), ''),
  );
}

/** What one security email says; the layout adds the app's name, the greeting and the footer. */
export interface EmailContent {
  /** The subject after the app's name, e.g. `two-factor authentication turned on`. */
  subject: string;
  heading: string;
  paragraphs: string[];
  /** Label and value pairs shown as a small table (text: `Label: value` lines). */
  facts?: [label: string, value: string][];
  /** Shown highlighted, e.g. "Only 2 backup codes left". */
  warning?: string;
  /** What to do if the user did not do this. */
  advice: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Subjects are one line: line breaks and other control characters become spaces. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

const colors = { text: '#1f2328', muted: '#59636e', panel: '#ffffff', page: '#f6f8fa', warning: '#fff8c5', warningBorder: '#d4a72c' };

/** Renders `content` for the user `recipient` of the app `appName`, as text and as HTML. */
export function renderEmail(appName: string, recipient: string, content: EmailContent): RenderedEmail {
  const subject = oneLine(`${appName}: ${content.subject}`);
  const footer = `You get this email because of a security change to your ${appName} account (${recipient}). It holds no links and never asks for a code or password: sign in to ${appName} the way you always do.`;
  const facts = content.facts ?? [];

  const text = [
    appName,
    '',
    content.heading,
    '',
    ...content.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(facts.length > 0 ? [...facts.map(([label, value]) => `${label}: ${value}`), ''] : []),
    ...(content.warning ? [`Warning: ${content.warning}`, ''] : []),
    content.advice,
    '',
    '--',
    footer,
    '',
  ].join('\n');

  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${subject}</title>
      </head>
      <body
        style="margin:0;padding:24px;background:${colors.page};color:${colors.text};font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5"
      >
        <div style="max-width:560px;margin:0 auto;background:${colors.panel};border-radius:8px;padding:24px">
          <p style="margin:0 0 16px;color:${colors.muted};font-size:13px">${appName}</p>
          <h1 style="margin:0 0 16px;font-size:20px">${content.heading}</h1>
          ${content.paragraphs.map((paragraph) => html`<p style="margin:0 0 12px">${paragraph}</p> `)}${
            facts.length > 0
              ? html`<table role="presentation" style="margin:0 0 12px;border-collapse:collapse">
                  ${facts.map(
                    ([label, value]) =>
                      html`<tr>
                        <th scope="row" style="padding:2px 12px 2px 0;text-align:left;font-weight:600">${label}</th>
                        <td style="padding:2px 0">${value}</td>
                      </tr>`,
                  )}
                </table> `
              : ''
          }${
            content.warning
              ? html`<p
                  role="alert"
                  style="margin:0 0 12px;padding:8px 12px;background:${colors.warning};border-left:4px solid ${colors.warningBorder}"
                >
                  <strong>Warning:</strong> ${content.warning}
                </p> `
              : ''
          }
          <p style="margin:0 0 12px">${content.advice}</p>
          <hr style="border:none;border-top:1px solid #d1d9e0;margin:16px 0" />
          <p style="margin:0;color:${colors.muted};font-size:13px">${footer}</p>
        </div>
      </body>
    </html> `;
  return { subject, text, html: body.markup };
}
