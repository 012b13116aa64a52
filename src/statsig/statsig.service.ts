import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { StatsigServer } from 'statsig-node';
import { AppConfig } from '../config/app-config';
import type { StatsigReader, StatsigWriter } from './statsig-reader';

/**
 * One statsig-node server instance per application (not the module singleton, so several apps in one process keep
 * their own), initialized when STATSIG_SERVER_SECRET is set and flushed and shut down with the application.
 * STATSIG_LOCAL_MODE runs it without any network (localMode + disableAllLogging).
 */
@Injectable()
export class StatsigService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StatsigService.name);
  private server?: StatsigServer;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.server !== undefined;
  }

  /** The initialized instance, or undefined when Statsig is not configured. */
  get client(): (StatsigReader & StatsigWriter & StatsigServer) | undefined {
    return this.server;
  }

  async onModuleInit(): Promise<void> {
    const secret = this.config.STATSIG_SERVER_SECRET;
    if (!secret) return;
    const local = this.config.STATSIG_LOCAL_MODE;
    const server = new StatsigServer(secret, local ? { localMode: true, disableAllLogging: true } : {});
    const details = await server.initializeAsync();
    if (!details.success) this.logger.warn(`Statsig initialized without its config specs (${details.error?.message ?? 'unknown reason'}); events are still queued`);
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.shutdownAsync(2000).catch((error: unknown) => this.logger.warn(`Statsig shutdown: ${(error as Error).message}`));
  }
}
