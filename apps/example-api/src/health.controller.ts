import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RESOURCE_SERVER } from '@tessera/resource-server/nest';
import type { ResourceServer } from '@tessera/resource-server';

/** Ready while the revocation replica is trustworthy; the lag is for dashboards. */
@Controller()
export class HealthController {
  constructor(@Inject(RESOURCE_SERVER) private readonly rs: ResourceServer) {}

  @Get('health')
  @Header('Cache-Control', 'no-store')
  health(@Res() res: Response) {
    const s = this.rs.status();
    const ok = s.state === 'live' || s.state === 'degraded';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', feed: s });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): string {
    const s = this.rs.status();
    return [
      '# HELP tessera_rs_feed_lag_seconds Seconds since the last successful revocation feed poll.',
      '# TYPE tessera_rs_feed_lag_seconds gauge',
      `tessera_rs_feed_lag_seconds ${s.lagSeconds ?? 'NaN'}`,
      '# HELP tessera_rs_feed_unreachable_seconds Seconds the revocation feed has been failing.',
      '# TYPE tessera_rs_feed_unreachable_seconds gauge',
      `tessera_rs_feed_unreachable_seconds ${s.unreachableSeconds}`,
      '# HELP tessera_rs_requests_allowed 1 when requests are answered, 0 when failing closed.',
      '# TYPE tessera_rs_requests_allowed gauge',
      `tessera_rs_requests_allowed ${s.state === 'live' || s.state === 'degraded' ? 1 : 0}`,
      '# HELP tessera_rs_revoked_entries Revocations held in the replica.',
      '# TYPE tessera_rs_revoked_entries gauge',
      `tessera_rs_revoked_entries{kind="jti"} ${s.revoked.jtis}`,
      `tessera_rs_revoked_entries{kind="client"} ${s.revoked.clients}`,
      `tessera_rs_revoked_entries{kind="subject"} ${s.revoked.subjects}`,
      '',
    ].join('\n');
  }
}
