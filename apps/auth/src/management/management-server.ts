import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { isUnderPrefix, markManagement, MANAGEMENT_PREFIX } from './management-request';

/**
 * MANAGEMENT_PORT on MANAGEMENT_HOST: a second listener handing every request to the same
 * express app under MANAGEMENT_PREFIX, so the management controllers answer here and nowhere
 * else. Started by main.ts after the public listener; closed with the app.
 */
@Injectable()
export class ManagementServer implements OnApplicationShutdown {
  private server?: http.Server;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The bound port, or undefined when MANAGEMENT_PORT=off. */
  async listen(): Promise<number | undefined> {
    const m = this.cfg.management;
    if (!m) return undefined;
    const express = this.adapterHost.httpAdapter.getInstance<http.RequestListener>();
    this.server = http.createServer((req, res) => {
      markManagement(req);
      const url = req.url ?? '/';
      if (!isUnderPrefix(url))
        req.url = MANAGEMENT_PREFIX + (url.startsWith('/') ? url : `/${url}`);
      express(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(m.port, m.host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    new Logger('Management').log(`management API on http://${m.host}:${port} (docs at /docs)`);
    return port;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}
