import { escapeHtml, html, renderEmail } from '../../functions/core/email-templates.js';
import { type SecurityEmailInput, securityEmail } from '../../functions/core/security-emails.js';
import { enforcementDeadlineApproaching, securityEmailEventTypes } from '../../functions/core/security-events.js';

const base = { at: '2025-06-01T14:03:09.000Z', detail: {}, appName: 'Acme Portal', recipient: 'ada@example.test' } as const;

function email(input: Partial<SecurityEmailInput> & Pick<SecurityEmailInput, 'type'>) {
  return securityEmail({ ...base, ...input });
}

describe('the email templates', () => {
  it('escapes every interpolated value in HTML, and only those', () => {
    const value = `<script>alert("x")</script> & 'y'`;

    const markup = html`<p title="${value}">${value}</p>`.markup;

    expect(markup).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
    expect(escapeHtml('a<b')).toBe('a&lt;b');
  });

  it('shows an app named <script> in the HTML as text, never as markup, and as is in the text body', () => {
    const appName = '<script>alert(1)</script><img src=x onerror=alert(2)>';

    const rendered = email({ type: 'two_factor.enrolled', appName });

    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(rendered.text).toContain(appName);
    expect(rendered.subject).toBe(`${appName}: two-factor authentication turned on`);
  });

  it('keeps the subject on one line whatever the app is called', () => {
    expect(
      renderEmail('Evil\r\nBcc: x@example.test', 'a@example.test', { subject: 's', heading: 'h', paragraphs: [], advice: 'a' }).subject,
    ).toBe('Evil Bcc: x@example.test: s');
  });

  it.each(securityEmailEventTypes.map((type) => [type]))('%s: names the app in subject, text and HTML, with no link', (type) => {
    const rendered = email({
      type,
      detail: { backupCodesRemaining: 5, days: 7, daysLeft: 7, retryAfterSeconds: 60, consecutiveFailures: 10 },
    });

    expect(rendered.subject.startsWith('Acme Portal: ')).toBe(true);
    expect(rendered.text).toContain('Acme Portal');
    expect(rendered.html).toContain('Acme Portal');
    expect(rendered.html).toMatch(/^<!doctype html>/);
    expect(`${rendered.text}${rendered.html}`).not.toMatch(/https?:|<a\s|href=/i);
  });

  it.each(securityEmailEventTypes.filter((type) => type !== enforcementDeadlineApproaching).map((type) => [type]))(
    '%s: says when, in UTC',
    (type) => {
      expect(email({ type }).text).toContain('2025-06-01 14:03 UTC');
    },
  );
});

describe('the backup-code email', () => {
  it('says how many codes remain, with no warning above 3', () => {
    const rendered = email({ type: 'backup_code.used', detail: { backupCodesRemaining: 4 } });

    expect(rendered.text).toContain('Backup codes left: 4');
    expect(rendered.text).not.toContain('Warning');
    expect(rendered.html).not.toContain('role="alert"');
  });

  it.each([
    [3, 'Only 3 backup codes left'],
    [1, 'Only 1 backup code left'],
    [0, 'You have no backup codes left'],
  ])('warns at %i left', (remaining, warning) => {
    const rendered = email({ type: 'backup_code.used', detail: { backupCodesRemaining: remaining } });

    expect(rendered.text).toContain(`Warning: ${warning}`);
    expect(rendered.html).toContain('role="alert"');
    expect(rendered.html).toContain(warning);
  });

  it('tells a step-up from a sign-in', () => {
    expect(email({ type: 'backup_code.used', detail: { backupCodesRemaining: 8, stepUp: true } }).text).toContain('to confirm it was you');
    expect(email({ type: 'backup_code.used', detail: { backupCodesRemaining: 8 } }).text).toContain('to sign in');
  });
});

describe('the reset email', () => {
  it('names the admin and gives the reason', () => {
    const rendered = email({
      type: 'two_factor.reset',
      detail: { reason: 'Lost <phone>' },
      resetBy: { kind: 'admin', email: 'boss@example.test' },
    });

    expect(rendered.text).toContain('Reset by: boss@example.test (administrator)');
    expect(rendered.text).toContain('Reason: Lost <phone>');
    expect(rendered.html).toContain('Lost &lt;phone&gt;');
  });

  it('leaves out a reason the admin marked internal', () => {
    const rendered = email({
      type: 'two_factor.reset',
      detail: { reason: 'ticket 4711: caller failed the ID check', reasonInternal: true },
      resetBy: { kind: 'admin', email: 'boss@example.test' },
    });

    expect(rendered.text).toContain('Reset by: boss@example.test');
    expect(`${rendered.text}${rendered.html}`).not.toContain('ticket 4711');
    expect(rendered.text).not.toContain('Reason');
  });

  it('names no platform engineer, only the support team', () => {
    expect(email({ type: 'two_factor.reset', resetBy: { kind: 'platform' } }).text).toContain('Reset by: the service’s support team');
  });
});

describe('the enforcement deadline reminder', () => {
  it.each([
    [7, 'within 7 days'],
    [1, 'within 1 day'],
  ])('says %i day(s) left', (daysLeft, within) => {
    const rendered = email({ type: enforcementDeadlineApproaching, detail: { daysLeft, enrollBy: '2025-06-08T00:00:00.000Z' } });

    expect(rendered.subject).toBe(`Acme Portal: set up two-factor authentication ${within}`);
    expect(rendered.text).toContain('from 2025-06-08 00:00 UTC');
  });
});
