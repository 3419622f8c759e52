/**
 * A real SMTP server on 127.0.0.1 (the smtp-server package) for the notify tests: it keeps every
 * message it accepts, parsed by mailparser, and can reject a recipient, drop the connection, or
 * require a login.
 */
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  readonly recipients: readonly string[];
  readonly from: string;
  readonly parsed: ParsedMail;
  readonly raw: string;
}

export interface TestSmtpOptions {
  /** Answer RCPT TO for this address with 550. */
  readonly rejectRecipient?: string;
  /** Answer RCPT TO for this address with 451 (temporary), `times` times (Infinity: always); counts every try. */
  readonly deferRecipient?: { readonly address: string; times: number; tries?: number };
  /** Greet the next `times` connections with 421 (service not available, closing). */
  readonly refuseConnections?: { times: number };
  /** Close the connection at RCPT TO for this address, `times` times (Infinity: always). */
  readonly dropFor?: { readonly address: string; times: number };
  /** Require this login. */
  readonly login?: { readonly user: string; readonly password: string };
}

export interface TestSmtp {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Every AUTH attempt's user and password, to prove what the client sent. */
  readonly logins: { user: string; password: string }[];
  close(): Promise<void>;
}

export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const logins: { user: string; password: string }[] = [];
  const sockets = new Map<number, Socket>();
  const serverOptions: SMTPServerOptions = {
    disabledCommands: options.login === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: options.login === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ user: auth.username ?? '', password: auth.password ?? '' });
      if (options.login !== undefined && auth.username === options.login.user && auth.password === options.login.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onConnect(_session, callback) {
      if (options.refuseConnections !== undefined && options.refuseConnections.times > 0) {
        options.refuseConnections.times -= 1;
        callback(Object.assign(new Error('4.3.2 too busy, try again later'), { responseCode: 421 }));
        return;
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      if (options.rejectRecipient !== undefined && address.address === options.rejectRecipient) {
        callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        return;
      }
      if (options.deferRecipient !== undefined && address.address === options.deferRecipient.address) {
        options.deferRecipient.tries = (options.deferRecipient.tries ?? 0) + 1;
        if (options.deferRecipient.times > 0) {
          options.deferRecipient.times -= 1;
          callback(Object.assign(new Error('4.2.1 mailbox busy, try again later'), { responseCode: 451 }));
          return;
        }
      }
      if (options.dropFor !== undefined && address.address === options.dropFor.address && options.dropFor.times > 0) {
        options.dropFor.times -= 1;
        sockets.get(session.remotePort)?.destroy();
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            received.push({
              recipients: session.envelope.rcptTo.map((item) => item.address),
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              parsed,
              raw: raw.toString('utf8'),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  (server as unknown as { server: import('node:net').Server }).server.on('connection', (socket: Socket) => {
    if (socket.remotePort !== undefined) sockets.set(socket.remotePort, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { server: import('node:net').Server }).server.address() as AddressInfo).port;
  return {
    port,
    received,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
