import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/** A local webhook receiver (an express server on 127.0.0.1) that records every alert posted to it. */
export class AlertReceiver {
  readonly received: Array<Record<string, unknown>> = [];
  private server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/alerts`;
  }

  /** Listens (again) on the same port once it has one; a fresh port the first time. */
  async start(): Promise<void> {
    const app = express();
    app.use(express.json());
    app.post('/hooks/alerts', (req, res) => {
      this.received.push(req.body as Record<string, unknown>);
      res.status(200).send('ok');
    });
    await new Promise<void>((resolve, reject) => {
      const server = app.listen(this.port, '127.0.0.1', () => resolve());
      server.once('error', reject);
      this.server = server;
    });
    this.port = (this.server!.address() as AddressInfo).port;
  }

  /** Stops listening: posts are refused (ECONNREFUSED) until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
