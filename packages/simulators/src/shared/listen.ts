import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts an express app on 127.0.0.1 (port 0 = any free port) and returns its base URL. */
export function listen(app: Express, port = 0, onClose?: () => void): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            onClose?.();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
