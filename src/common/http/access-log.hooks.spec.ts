import 'reflect-metadata';
import { Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { PinoLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createFastifyAdapter } from '../../app.factory';
import { AccessLogHooks, LOG_REDACTION, LogFailuresOnly } from './access-log.hooks';

@Controller()
class ProbeController {
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('things/:id')
  thing(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException();
    return { id };
  }

  @Post('hot/:id')
  @HttpCode(200)
  @LogFailuresOnly()
  hot(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException();
    return { id };
  }
}

describe(AccessLogHooks.name, () => {
  let app: NestFastifyApplication;
  const lines: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed log lines

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info', redact: LOG_REDACTION }, sink);
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [AccessLogHooks, { provide: PinoLogger, useValue: { logger } }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(1024), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());
  beforeEach(() => lines.splice(0));

  it('echoes a plain X-Request-Id and logs the request under it, without the credentials', async () => {
    const res = await app.inject({ method: 'GET', url: '/things/7', headers: { 'x-request-id': 'trace-42.a:b', authorization: 'Bearer pf_secret', 'x-api-key': 'pf_secret' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-42.a:b');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        reqId: 'trace-42.a:b',
        req: expect.objectContaining({ method: 'GET', url: '/things/7', headers: expect.objectContaining({ authorization: '[redacted]', 'x-api-key': '[redacted]' }) }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('pf_secret');
  });

  it.each<[string | undefined, string]>([
    [undefined, 'no header'],
    ['has spaces', 'a header that is not a plain token'],
    ['x'.repeat(129), 'a header over 128 characters'],
  ])('gives a request with %p (%s) a new UUID', async (given) => {
    const res = await app.inject({ method: 'GET', url: '/things/7', headers: given === undefined ? {} : { 'x-request-id': given } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(lines[0].reqId).toBe(res.headers['x-request-id']);
  });

  it('sets X-Request-Id on answers no route gave, too', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'lost-1' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('lost-1');
  });

  it('logs only the failures of a route marked LogFailuresOnly', async () => {
    expect((await app.inject({ method: 'POST', url: '/hot/7' })).statusCode).toBe(200);
    expect(lines).toEqual([]);
    expect((await app.inject({ method: 'POST', url: '/hot/missing' })).statusCode).toBe(404);
    expect(lines).toEqual([expect.objectContaining({ msg: 'request completed', res: { statusCode: 404 } })]);
  });

  it('never logs the probes', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(lines).toEqual([]);
  });
});
