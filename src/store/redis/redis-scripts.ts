import type { Redis } from 'ioredis';
import type { AuditEntry } from '../../audit/domain/audit-entry';
import { auditTimeMs } from '../record-order';
import type { ChainKeys } from './redis-keys';

/**
 * Lua shared by every chain-writing script. Convention: KEYS[1..3] are the chain's head, audit and auditAt keys;
 * ARGV[1] is the expected head seq, ARGV[2] the expected revision ('' for any), ARGV[3] the number of sealed entries,
 * then one (seq, hash, json, score) tuple per entry; script-specific arguments follow.
 */
const CHAIN_LUA = `
local function head_matches()
  local head = redis.call('HMGET', KEYS[1], 'seq', 'revision')
  if (head[1] or '0') ~= ARGV[1] then return false end
  if ARGV[2] ~= '' and (head[2] or '0') ~= ARGV[2] then return false end
  return true
end
local function after_entries()
  return 4 + tonumber(ARGV[3]) * 4
end
local function append_entries()
  local i = 4
  for _ = 1, tonumber(ARGV[3]) do
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
    redis.call('ZADD', KEYS[3], ARGV[i + 3], string.format('%012d', tonumber(ARGV[i])))
    redis.call('HSET', KEYS[1], 'seq', ARGV[i], 'hash', ARGV[i + 1])
    i = i + 4
  end
end
`;

/** KEYS[4] status, KEYS[5] version body, KEYS[6] idempotency key. ARGV: version number, body JSON, '1' if keyed. */
const CREATE_VERSION_LUA = `${CHAIN_LUA}
local r = after_entries()
local n, body, keyed = ARGV[r], ARGV[r + 1], ARGV[r + 2] == '1'
if keyed then
  local existing = redis.call('GET', KEYS[6])
  if existing then return {'idem', existing} end
end
if not head_matches() then return {'conflict'} end
if not redis.call('SET', KEYS[5], body, 'NX') then
  return redis.error_reply('PF_INVARIANT version key ' .. KEYS[5] .. ' exists beyond the head')
end
redis.call('HSET', KEYS[4], n, 'draft')
redis.call('HSET', KEYS[1], 'latest', n)
append_entries()
if keyed then redis.call('SET', KEYS[6], n) end
return {'ok'}
`;

/** KEYS[4] status. ARGV: change count, then (version, from, to) per change, applied in order. */
const CHANGE_STATUSES_LUA = `${CHAIN_LUA}
if not head_matches() then return {'conflict'} end
local i = after_entries()
local count = tonumber(ARGV[i])
i = i + 1
local planned = {}
for _ = 1, count do
  local version, from, to = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = planned[version]
  if current == nil then current = redis.call('HGET', KEYS[4], version) end
  if current ~= from then return {'conflict'} end
  planned[version] = to
  i = i + 3
end
for version, status in pairs(planned) do redis.call('HSET', KEYS[4], version, status) end
redis.call('HINCRBY', KEYS[1], 'revision', 1)
append_entries()
return {'ok'}
`;

/** KEYS[4] rollout. ARGV: rollout JSON. */
const PUT_ROLLOUT_LUA = `${CHAIN_LUA}
if not head_matches() then return {'conflict'} end
redis.call('SET', KEYS[4], ARGV[after_entries()])
redis.call('HINCRBY', KEYS[1], 'revision', 1)
append_entries()
return {'ok'}
`;

/** KEYS[4] kill. ARGV: kill JSON, or '' to clear it. */
const SET_KILL_LUA = `${CHAIN_LUA}
if not head_matches() then return {'conflict'} end
local kill = ARGV[after_entries()]
if kill == '' then redis.call('DEL', KEYS[4]) else redis.call('SET', KEYS[4], kill) end
redis.call('HINCRBY', KEYS[1], 'revision', 1)
append_entries()
return {'ok'}
`;

/** Appends entries to a chain and changes nothing else (no revision bump). */
const APPEND_AUDIT_LUA = `${CHAIN_LUA}
if not head_matches() then return {'conflict'} end
append_entries()
return {'ok'}
`;

/**
 * KEYS[4] API key records, KEYS[5] keyHash index. ARGV: op count, then (op, a, b) per op. Guards run before any write:
 * 'absent' fails with {'exists'} when field a of KEYS[4+b] exists. Writes: 'put' a=id b=record, 'index' a=hash b=id,
 * 'unindex' a=hash.
 */
const SYSTEM_WRITE_LUA = `${CHAIN_LUA}
if not head_matches() then return {'conflict'} end
local first = after_entries()
local count = tonumber(ARGV[first])
for k = 0, count - 1 do
  local i = first + 1 + k * 3
  if ARGV[i] == 'absent' and redis.call('HEXISTS', KEYS[4 + tonumber(ARGV[i + 2])], ARGV[i + 1]) == 1 then
    return {'exists', ARGV[i + 1]}
  end
end
for k = 0, count - 1 do
  local i = first + 1 + k * 3
  local op, a, b = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'put' then redis.call('HSET', KEYS[4], a, b)
  elseif op == 'index' then redis.call('HSET', KEYS[5], a, b)
  elseif op == 'unindex' then redis.call('HDEL', KEYS[5], a) end
end
append_entries()
return {'ok'}
`;

const SCRIPTS = {
  pfCreateVersion: { lua: CREATE_VERSION_LUA, numberOfKeys: 6 },
  pfChangeStatuses: { lua: CHANGE_STATUSES_LUA, numberOfKeys: 4 },
  pfPutRollout: { lua: PUT_ROLLOUT_LUA, numberOfKeys: 4 },
  pfSystemWrite: { lua: SYSTEM_WRITE_LUA, numberOfKeys: 5 },
  pfSetKill: { lua: SET_KILL_LUA, numberOfKeys: 4 },
  pfAppendAudit: { lua: APPEND_AUDIT_LUA, numberOfKeys: 3 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
/** 'ok' | 'conflict' (the head moved: re-read and retry) | 'idem' n | 'exists' field. */
export type ScriptReply = [status: 'ok' | 'conflict' | 'idem' | 'exists', detail?: string];

/** Where the head must still be for a chain-writing script to apply. */
export interface ChainExpectation {
  seq: number;
  /** Also require this revision (slug chains); omitted for writes that do not depend on it. */
  revision?: number;
}

type ScriptHost = Record<ScriptName, (...args: (string | number)[]) => Promise<ScriptReply>>;

/** The Lua scripts, defined once per client (ioredis sends EVALSHA and falls back to EVAL after a restart). */
export class RedisScripts {
  constructor(private readonly client: Redis) {
    const host = client as unknown as Partial<ScriptHost>;
    for (const [name, definition] of Object.entries(SCRIPTS)) {
      if (typeof host[name as ScriptName] !== 'function') client.defineCommand(name, definition);
    }
  }

  /** Runs a chain-writing script: `extraKeys` after the chain's keys, `extraArgs` after the sealed entries. */
  run(
    name: ScriptName,
    chain: ChainKeys,
    expected: ChainExpectation,
    entries: readonly AuditEntry[],
    extraKeys: readonly string[],
    extraArgs: readonly (string | number)[],
  ): Promise<ScriptReply> {
    const entryArgs = entries.flatMap((e) => [e.seq, e.hash, JSON.stringify(e), auditTimeMs(e.at)]);
    const args = [chain.head, chain.audit, chain.auditAt, ...extraKeys, expected.seq, expected.revision ?? '', entries.length, ...entryArgs, ...extraArgs];
    return (this.client as unknown as ScriptHost)[name](...args);
  }
}

/**
 * Outcome events, the general form: checks and counts the events of one slug (one hash slot) at once, whatever mix of
 * new and already-seen ids they are. KEYS[1] versions set; per cell c (from 0)
 * KEYS[2 + 2c] its counter hash and KEYS[3 + 2c] its outputs HLL; then one id marker per event.
 * ARGV[1] id ttl, ARGV[2] cell count, then each cell's version; the slot count, then (cell, field, 'i' | 'f') per slot
 * (from 0); then (cell, "slot value slot value …", output hash or '') per event. An event whose marker SET NX
 * succeeds is new: only new events' increments are summed, then each touched counter is added to once.
 * Returns one character per event, in order: '1' new, '0' duplicate.
 */
export const RECORD_OUTCOMES_LUA = `
local cells = tonumber(ARGV[2])
local slots_at = 4 + cells
local events_at = slots_at + 3 * tonumber(ARGV[3 + cells])
local markers_at = 2 + 2 * cells
local statuses, totals, touched, outputs = {}, {}, {}, {}
local e = 0
for i = events_at, #ARGV, 3 do
  if redis.call('SET', KEYS[markers_at + e], '1', 'NX', 'EX', ARGV[1]) then
    statuses[e + 1] = '1'
    local cell = tonumber(ARGV[i])
    touched[cell] = true
    for slot, value in string.gmatch(ARGV[i + 1], '(%d+) (%S+)') do
      slot = tonumber(slot)
      totals[slot] = (totals[slot] or 0) + tonumber(value)
    end
    if ARGV[i + 2] ~= '' then
      local list = outputs[cell]
      if not list then list = {}; outputs[cell] = list end
      list[#list + 1] = ARGV[i + 2]
    end
  else
    statuses[e + 1] = '0'
  end
  e = e + 1
end
for slot, total in pairs(totals) do
  local s = slots_at + 3 * slot
  local hash = KEYS[2 + 2 * tonumber(ARGV[s])]
  if ARGV[s + 2] == 'f' then redis.call('HINCRBYFLOAT', hash, ARGV[s + 1], string.format('%.17g', total))
  else redis.call('HINCRBY', hash, ARGV[s + 1], string.format('%d', total)) end
end
for cell in pairs(touched) do redis.call('SADD', KEYS[1], ARGV[3 + cell]) end
for cell, list in pairs(outputs) do
  for j = 1, #list, 500 do redis.call('PFADD', KEYS[3 + 2 * cell], unpack(list, j, math.min(j + 499, #list))) end
end
return table.concat(statuses)
`;

/**
 * Outcome events, the fast form for the common case (every id new): KEYS as RECORD_OUTCOMES_LUA. ARGV[1] id ttl,
 * ARGV[2] cell count, then each cell's version; the slot count, then (cell, field, 'i' | 'f', total) per slot; then
 * per cell its output-hash count and hashes. Sets every id marker (SET NX); at the first id already there it deletes
 * the markers it set and returns 0, having changed nothing (the caller then sends the general form). Otherwise it
 * adds the batch's pre-summed totals and returns 1. Summing in the caller and skipping per-event parsing roughly
 * halves Redis's time per event.
 */
export const RECORD_NEW_OUTCOMES_LUA = `
local cells = tonumber(ARGV[2])
local slots_at = 4 + cells
local outputs_at = slots_at + 4 * tonumber(ARGV[3 + cells])
local markers_at = 2 + 2 * cells
for m = markers_at, #KEYS do
  if not redis.call('SET', KEYS[m], '1', 'NX', 'EX', ARGV[1]) then
    for j = markers_at, m - 1, 500 do redis.call('DEL', unpack(KEYS, j, math.min(j + 499, m - 1))) end
    return 0
  end
end
for s = slots_at, outputs_at - 1, 4 do
  local hash = KEYS[2 + 2 * tonumber(ARGV[s])]
  if ARGV[s + 2] == 'f' then redis.call('HINCRBYFLOAT', hash, ARGV[s + 1], ARGV[s + 3])
  else redis.call('HINCRBY', hash, ARGV[s + 1], ARGV[s + 3]) end
end
local i = outputs_at
for cell = 0, cells - 1 do
  redis.call('SADD', KEYS[1], ARGV[3 + cell])
  local n = tonumber(ARGV[i])
  for j = i + 1, i + n, 500 do redis.call('PFADD', KEYS[3 + 2 * cell], unpack(ARGV, j, math.min(j + 499, i + n))) end
  i = i + n + 1
end
return 1
`;
