import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators';
import { SlugPipe } from '../common/http/params';
import { MAX_EVENT_BATCH, MAX_EXPOSURE_BATCH } from './domain/event-validation';
import { DEFAULT_WINDOW_MS, ExperimentsService } from './experiments.service';

@ApiTags('experiments')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1')
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  /** Outcome events, up to 1,000 per batch. 200 with a per-index answer even when some are refused. */
  @Post('events')
  @HttpCode(200)
  events(@Body() body: unknown) {
    return this.experiments.recordEvents(batchOf(body, 'events', MAX_EVENT_BATCH));
  }

  /** Exposures from in-process clients (`{exposures: [{slug, version, variant, revision, targetingKeyHash, ts?}]}`). */
  @Post('exposures')
  @HttpCode(200)
  exposures(@Body() body: unknown) {
    return this.experiments.recordExposures(batchOf(body, 'exposures', MAX_EXPOSURE_BATCH));
  }

  /** Per-version results over [from, to) (ISO-8601 instants; default the last 24 hours). */
  @Get('prompts/:slug/results')
  results(@Param('slug', SlugPipe) slug: string, @Query('from') from?: string, @Query('to') to?: string) {
    const end = to === undefined ? new Date() : instant('to', to);
    const start = from === undefined ? new Date(end.getTime() - DEFAULT_WINDOW_MS) : instant('from', from);
    return this.experiments.results(slug, start, end);
  }
}

function batchOf(body: unknown, field: string, max: number): unknown[] {
  const list = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[field] : undefined;
  const extra = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== field) : [];
  if (!Array.isArray(list)) throw invalid(field, `the body must be {"${field}": [...]}`);
  if (extra.length > 0) throw invalid(extra[0], `is not a known field (the body is {"${field}": [...]})`);
  if (list.length === 0) throw invalid(field, 'must not be empty');
  if (list.length > max) throw invalid(field, `has ${list.length} items; at most ${max} per batch`);
  return list;
}

function instant(field: string, value: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(field, 'must be an ISO-8601 instant such as 2025-06-01T00:00:00Z');
  return new Date(ms);
}

function invalid(field: string, message: string): BadRequestException {
  return new BadRequestException({ message: `${field} ${message}`, code: 'VALIDATION_FAILED', details: { fields: [{ field, message }] } });
}
