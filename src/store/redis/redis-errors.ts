import { DomainError, StoreUnavailableError } from '../../common/domain/domain-error';

const UNREACHABLE_MESSAGES = ['Connection is closed', "Stream isn't writeable", 'Command timed out', 'connect ETIMEDOUT'];
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Replies that mean "not now" rather than "wrong request": loading, busy script, failover, disk errors. */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|NOREPLICAS|CLUSTERDOWN|TRYAGAIN|MISCONF)\b/;

/**
 * Runs Redis calls, turning every connection loss, timeout and "not now" reply into StoreUnavailableError.
 * Domain errors and programming errors pass through unchanged.
 */
export async function guardRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateRedisError(error);
  }
}

export function translateRedisError(error: unknown): unknown {
  if (!isErrorLike(error) || error instanceof DomainError) return error;
  if (isUnavailable(error)) return new StoreUnavailableError(`Redis is unreachable: ${error.message}`, { cause: error.name });
  return error;
}

function isUnavailable(error: ErrorLike): boolean {
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (typeof error.code === 'string' && UNREACHABLE_CODES.has(error.code)) return true;
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLIES.test(error.message);
  return UNREACHABLE_MESSAGES.some((message) => error.message.startsWith(message));
}

interface ErrorLike {
  name: string;
  message: string;
  code?: unknown;
}

/** Not `instanceof Error`: socket errors may come from another realm (e.g. under Jest). */
function isErrorLike(error: unknown): error is ErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}
