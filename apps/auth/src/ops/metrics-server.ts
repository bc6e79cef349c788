import http from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { CidrAllowList } from '@tessera/infrastructure/metrics/cidr-allow-list';
import { MetricsRegistry } from '@tessera/infrastructure/metrics/metrics-registry';

/**
 * METRICS_PORT: /metrics on a listener of its own (same HOST), so the public port can be
 * exposed without it. Nothing proxies this port, so only the socket peer address counts.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: http.Server;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.cfg.metrics.port;
    if (!port) return;
    const allow = new CidrAllowList(this.cfg.metrics.allowCidrs);
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      } else if (!allow.allows(req.socket.remoteAddress)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden\n');
      } else {
        this.registry.metrics().then(
          (text) =>
            res
              .writeHead(200, {
                'Content-Type': this.registry.contentType,
                'Cache-Control': 'no-store',
              })
              .end(text),
          () => res.writeHead(500).end(),
        );
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.cfg.http.host, () => resolve());
    });
    new Logger('Metrics').log(`metrics on http://${this.cfg.http.host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}
