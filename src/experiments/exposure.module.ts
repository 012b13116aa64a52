import { Global, Module } from '@nestjs/common';
import { ExposureRecorder } from './exposure-recorder.service';

/**
 * The exposure recorder, global so every resolve surface can inject it without importing the experiments module
 * (which depends on rollout, which depends on flags).
 */
@Global()
@Module({ providers: [ExposureRecorder], exports: [ExposureRecorder] })
export class ExposureModule {}
