import { DomainError, StoreUnavailableError } from '../../common/domain/domain-error';

/** Result codes that mean the database cannot serve now (locked, disk trouble, file gone), not a wrong request. */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

/** Runs database work, turning "cannot serve now" failures into StoreUnavailableError. */
export async function guardSqlite<T>(work: () => T): Promise<T> {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error);
  }
}

export function translateSqliteError(error: unknown): unknown {
  if (!isErrorLike(error) || error instanceof DomainError) return error;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if ((code !== undefined && UNAVAILABLE_CODES.test(code)) || error.message === 'The database connection is not open') {
    return new StoreUnavailableError(`The embedded database is unavailable: ${error.message}`, { cause: code ?? error.name });
  }
  return error;
}

/** Not `instanceof Error`: errors from the native addon may come from another realm (e.g. under Jest). */
function isErrorLike(error: unknown): error is { name: string; message: string; code?: unknown } {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}
