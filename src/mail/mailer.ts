import type { Transporter } from 'nodemailer';
import type { MailConfig } from '../config.js';

/**
 * The mail port (DESIGN.md §8): alert emails leave through it. One adapter, SMTP through
 * nodemailer; tests point it at a local SMTP server.
 */
export interface MailMessage {
  /** Each recipient receives the message without seeing the others. */
  recipients: string[];
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Thrown when the SMTP server refused or could not be reached; `permanent` for a 5xx answer. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export function createSmtpMailer(config: MailConfig): Mailer {
  // nodemailer is loaded with the first alert email, not at start: many servers never send one.
  let transport: Promise<Transporter> | null = null;
  const transportOnce = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      // Short waits: a server that stops answering fails the send, which is retried, well
      // within the claim the sending job holds (src/services/time-rules/alert-email.ts).
      nodemailer.createTransport(
        { url: config.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 },
        { from: config.from },
      ),
    ));
  return {
    async send(message) {
      try {
        // One SMTP transaction: every recipient in the envelope, none named in the headers.
        const smtp = await transportOnce();
        await smtp.sendMail({
          from: config.from,
          bcc: message.recipients,
          subject: message.subject,
          text: message.text,
        });
      } catch (error) {
        const { responseCode } = error as { responseCode?: number };
        const reason = responseCode ? `SMTP server answered ${responseCode}` : `SMTP failed: ${(error as Error).message}`;
        throw new MailError(reason, responseCode !== undefined && responseCode >= 500);
      }
    },
    close() {
      void transport?.then((opened) => opened.close());
    },
  };
}
