/** Admin key of every bench app: a configured key (not in the pf_ format) is looked up as is. */
export const BENCH_ADMIN_KEY = `bench-admin-${'k'.repeat(40)}`;
