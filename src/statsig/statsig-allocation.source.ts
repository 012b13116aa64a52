import { Injectable } from '@nestjs/common';
import { UnprocessableError } from '../common/domain/domain-error';
import { StatsigService } from './statsig.service';
import type { StatsigReader } from './statsig-reader';

export interface VersionWeight {
  version: number;
  weight: number;
}

/** The Statsig user whose config value is read as the allocation: one fixed subject, so every replica reads the same. */
export const ALLOCATION_USER_ID = 'promptflag:allocation';
export const DEFAULT_ALLOCATION_PARAMETER = 'allocation';

/**
 * A rollout's allocation taken from a Statsig experiment. Expected config shape (the same value in every group, or a
 * Dynamic Config of that name):
 *
 * ```json
 * { "allocation": [{ "version": 3, "weight": 90 }, { "version": 4, "weight": 10 }] }
 * ```
 *
 * promptflag still buckets users itself (flagd fractional); Statsig decides the weights. `parameter` names another
 * field than `allocation`. Versions are positive integers, weights non-negative integers with a positive sum.
 */
@Injectable()
export class StatsigAllocationSource {
  constructor(private readonly statsig: StatsigService) {}

  /** @throws UnprocessableError when Statsig is off, or the experiment is unknown or not in the expected shape. */
  allocationFor(experimentName: string, parameter = DEFAULT_ALLOCATION_PARAMETER): VersionWeight[] {
    const client = this.statsig.client;
    if (!client) throw new UnprocessableError('Statsig is not configured (STATSIG_SERVER_SECRET is unset)', { experiment: experimentName });
    return readAllocation(client, experimentName, parameter);
  }
}

export function readAllocation(reader: StatsigReader, experimentName: string, parameter = DEFAULT_ALLOCATION_PARAMETER): VersionWeight[] {
  const config = reader.getExperiment({ userID: ALLOCATION_USER_ID }, experimentName);
  const reason = config.getEvaluationDetails()?.reason;
  if (reason === 'Unrecognized') throw new UnprocessableError(`Statsig has no experiment "${experimentName}"`, { experiment: experimentName });
  if (reason === 'Uninitialized') throw new UnprocessableError(`Statsig has not loaded its config specs, so experiment "${experimentName}" cannot be read (unknown to local overrides?)`, { experiment: experimentName });
  return parseAllocation(config.value[parameter], experimentName, parameter);
}

export function parseAllocation(raw: unknown, experimentName: string, parameter: string): VersionWeight[] {
  const bad = (why: string) => new UnprocessableError(`Statsig experiment "${experimentName}": ${parameter} ${why}`, { experiment: experimentName, parameter });
  if (!Array.isArray(raw) || raw.length === 0) throw bad('must be a non-empty list of {version, weight}');
  const seen = new Set<number>();
  const allocation = raw.map((entry: unknown) => {
    const { version, weight } = (entry ?? {}) as { version?: unknown; weight?: unknown };
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw bad('has a version that is not a positive integer');
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) throw bad('has a weight that is not a non-negative integer');
    if (seen.has(version)) throw bad(`names version ${version} twice`);
    seen.add(version);
    return { version, weight };
  });
  if (allocation.every((a) => a.weight === 0)) throw bad('has no positive weight');
  return allocation;
}
