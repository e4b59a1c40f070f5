import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../../core/ports.js';

/**
 * Sends through Amazon SES v2 (`SendEmail`, simple content: subject, text and HTML bodies in UTF-8) from the
 * stack's verified sender, under its configuration set (bounce and complaint handling, metrics).
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly sender: { fromAddress: string; configurationSet: string },
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const result = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.sender.fromAddress,
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: this.sender.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    if (!result.MessageId) throw new Error('SES accepted the email without a message id');
    return { messageId: result.MessageId };
  }
}
