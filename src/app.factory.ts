import { type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DomainErrorFilter } from './common/http/domain-error.filter';
import { requestIdOf } from './common/http/request-id';
import { createValidationPipe } from './common/http/validation.pipe';

export function createFastifyAdapter(bodyLimitBytes: number): FastifyAdapter {
  const adapter = new FastifyAdapter({ bodyLimit: bodyLimitBytes, logger: false, return503OnClosing: true, genReqId: requestIdOf });
  // Only JSON bodies are accepted: drop Fastify's text/plain parser so other types are a 415.
  adapter.getInstance().removeContentTypeParser(['text/plain']);
  return adapter;
}

/** Everything main.ts and the e2e tests must set up identically. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainErrorFilter());
  app.enableShutdownHooks();
  setUpOpenApi(app);
  return app;
}

function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('promptflag')
      .setDescription('Prompt registry and rollout service: immutable prompt versions served as OpenFeature flags.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
