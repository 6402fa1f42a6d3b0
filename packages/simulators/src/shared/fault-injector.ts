import express, { NextFunction, Request, Response } from 'express';

/**
 * Fault injection shared by both simulators. Tests and the demo add rules; each request is checked against
 * the rules in order and the first that matches (and still has budget) decides the fault.
 */
export type FaultKind =
  | { kind: 'status'; status: number; body?: unknown; retryAfterSeconds?: number }
  | { kind: 'hang' } // never answers (until the server closes)
  | { kind: 'delay'; ms: number } // answers normally after a delay
  | { kind: 'lateAnswer'; ms: number } // processes the request at once, answers only after a delay (a lost answer)
  | { kind: 'processedLate'; ms: number } // takes the request in, applies it (makes it visible) only after a delay, then answers
  | { kind: 'malformed' } // 200 with a body that is not JSON
  | { kind: 'reset' }; // destroys the socket (network error)

export interface FaultRule {
  method?: string;
  /** matched against the request path (no query string) */
  path?: RegExp;
  fault: FaultKind;
  /** how many matching requests get the fault; unlimited when absent */
  times?: number;
  /** chance (0..1) that a matching request gets the fault; 1 when absent */
  probability?: number;
  /** every Nth matching request gets the fault (a steady rate a test can count on, where `probability` varies) */
  every?: number;
}

export class FaultInjector {
  private rules: Array<FaultRule & { remaining: number; seen: number }> = [];
  private hanging = new Set<Response>();
  public injectedCount = 0;

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY, seen: 0 });
    return this;
  }

  clear(): void {
    this.rules = [];
    this.releaseHanging();
  }

  releaseHanging(): void {
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const rule = this.rules.find(
        (r) =>
          r.remaining > 0 &&
          (!r.method || r.method.toUpperCase() === req.method) &&
          (!r.path || r.path.test(req.path)),
      );
      if (!rule || (rule.probability !== undefined && this.random() >= rule.probability)) return next();
      rule.seen += 1;
      if (rule.every !== undefined && rule.seen % rule.every !== 0) return next();
      rule.remaining -= 1;
      this.injectedCount += 1;
      const fault = rule.fault;
      switch (fault.kind) {
        case 'status':
          if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
          res.status(fault.status).json(fault.body ?? { message: `injected ${fault.status}` });
          return;
        case 'hang':
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        case 'delay':
          setTimeout(next, fault.ms);
          return;
        case 'lateAnswer': {
          const send = res.send.bind(res);
          res.send = ((body?: unknown) => {
            setTimeout(() => {
              if (!res.writableEnded && !res.destroyed) send(body);
            }, fault.ms);
            return res;
          }) as typeof res.send;
          next();
          return;
        }
        case 'processedLate':
          // The body is read now (the caller may hang up meanwhile); the route runs, and so the write appears, later.
          express.json()(req, res, (error?: unknown) => setTimeout(() => next(error), fault.ms));
          return;
        case 'malformed':
          res.status(200).type('application/json').send('{"items": [ {"_id": "trunc');
          return;
        case 'reset':
          req.socket.destroy();
          return;
      }
    };
  }
}
