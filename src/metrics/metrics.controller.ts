import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { NotFoundError } from '../common/domain/domain-error';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint: public (scrapers carry no key), off with METRICS_ENABLED=false. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!this.config.METRICS_ENABLED) throw new NotFoundError('Metrics are disabled (METRICS_ENABLED=false)');
    const { contentType, body } = await this.metrics.scrape();
    reply.header('content-type', contentType);
    return body;
  }
}
