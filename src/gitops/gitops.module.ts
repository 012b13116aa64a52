import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module';
import { RolloutModule } from '../rollout/rollout.module';
import { FlagFileImportService } from './flag-file-import.service';

@Module({ imports: [RegistryModule, RolloutModule], providers: [FlagFileImportService], exports: [FlagFileImportService] })
export class GitopsModule {}
