/**
 * The Lua scripts that make cluster mode's room operations atomic in Redis. Each runs whole or not at all, so
 * two processes can never both put a second member into a room, or both relay a frame under the same number.
 * Keys are built from the prefix in `ARGV[1]` (standalone Redis or Sentinel; not Redis Cluster, whose scripts must
 * declare their keys). Time comes from Redis (`TIME`), so processes with skewed clocks agree on deadlines.
 *
 * Keys (P = prefix): `P room:<room>` hash of member ids · `P m:<id>` member hash (room, proc, res, in, out, bytes,
 * token, mf / mb: its outbox bounds) · `P ob:<id>` list of `<n>:<frame>` not yet acknowledged (numbered signals
 * and, where a partner left, a numbered `peer-left`) · `P pend:<room>` / `P pendb:<room>` what a lone member sent, and its size
 * · `P tok:<token>` → member id · `P ftok:<token>` finalize info for a member that was away when its room was
 * finalized (expires after the grace) · `P pm:<proc>` set of a process's members ·
 * `P procs` zset of processes · `P proc:<proc>` heartbeat (expires) · `P graces` zset member → end of grace ·
 * `P limits` zset room → call deadline · `P dl:<room>` a room's call deadline (expires) · `P fin:<room>` finalize
 * info of a finalized room (expires). Channel `P to:<proc>`: JSON `{ m, f?, n?, p?, fin?, lost?, terminate? }` for
 * a member held by that process: frames, the number of a numbered one, whether its partner is now present (`p`: 1)
 * or gone (0), the finalize info that ends its membership (`fin`: JSON text or ''), or the loss of its place.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Shared functions. `push_out` numbers and holds the next frame for a resumable member, within its outbox bounds
 * (false past them): a signal carrying `data`, or (`data` nil) a `peer-left`, numbered so the member's resume
 * shows whether it arrived. `leave` gives the remaining member its `peer-left` that way whether or not a process
 * holds its socket (it may be half-open); one whose outbox is full loses its place.
 */
const PRELUDE = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function send(id, msg)
  local proc = redis.call('HGET', P..'m:'..id, 'proc')
  if proc and proc ~= '' then
    msg.m = id
    redis.call('PUBLISH', P..'to:'..proc, cjson.encode(msg))
  end
end
local function remove_member(id)
  local mk = P..'m:'..id
  for _, field in ipairs({ 'token', 'ptoken' }) do
    local token = redis.call('HGET', mk, field)
    if token and token ~= '' then redis.call('DEL', P..'tok:'..token) end
  end
  local proc = redis.call('HGET', mk, 'proc')
  if proc and proc ~= '' then redis.call('SREM', P..'pm:'..proc, id) end
  redis.call('ZREM', P..'graces', id)
  redis.call('DEL', mk, P..'ob:'..id)
end
local function push_out(id, data, max_frames, max_bytes)
  local mk = P..'m:'..id
  max_frames, max_bytes = max_frames or math.huge, max_bytes or math.huge
  if redis.call('HGET', mk, 'res') ~= '1' then
    if data == nil then return '{"t":"peer-left"}', nil end
    return '{"t":"signal","data":'..data..'}', nil
  end
  local n = tonumber(redis.call('HGET', mk, 'out')) + 1
  local frame = '{"t":"peer-left","n":'..n..'}'
  if data ~= nil then frame = '{"t":"signal","n":'..n..',"data":'..data..'}' end
  local bytes = tonumber(redis.call('HGET', mk, 'bytes'))
  if redis.call('LLEN', P..'ob:'..id) >= max_frames or bytes + #frame > max_bytes then return false, nil end
  redis.call('HSET', mk, 'out', n, 'bytes', bytes + #frame)
  redis.call('RPUSH', P..'ob:'..id, n..':'..frame)
  return frame, n
end
local function leave(id)
  local room = redis.call('HGET', P..'m:'..id, 'room')
  redis.call('ZREM', P..'graces', id)
  if not room then return end
  remove_member(id)
  local rk = P..'room:'..room
  redis.call('HDEL', rk, id)
  redis.call('DEL', P..'pend:'..room, P..'pendb:'..room)
  redis.call('ZREM', P..'limits', room)
  local rest = redis.call('HKEYS', rk)
  if #rest == 0 then redis.call('DEL', rk) end
  for _, other in ipairs(rest) do
    local mk = P..'m:'..other
    local frame, n = push_out(other, nil, tonumber(redis.call('HGET', mk, 'mf')), tonumber(redis.call('HGET', mk, 'mb')))
    if frame then
      send(other, { f = { frame }, n = n, p = 0 })
    else
      send(other, { lost = 1 })
      leave(other)
    end
  end
end
local function finalize_room(room, info, remember_ms, grace_ms)
  local rk = P..'room:'..room
  if remember_ms > 0 then redis.call('SET', P..'fin:'..room, info, 'PX', remember_ms) end
  for _, id in ipairs(redis.call('HKEYS', rk)) do
    local mk = P..'m:'..id
    local proc = redis.call('HGET', mk, 'proc')
    if proc and proc ~= '' then
      send(id, { fin = info })
    elseif grace_ms > 0 then
      for _, field in ipairs({ 'token', 'ptoken' }) do
        local token = redis.call('HGET', mk, field)
        if token and token ~= '' then redis.call('SET', P..'ftok:'..token, info, 'PX', grace_ms) end
      end
    end
    remove_member(id)
  end
  redis.call('DEL', rk, P..'pend:'..room, P..'pendb:'..room)
  redis.call('ZREM', P..'limits', room)
end
local function trim(id, upto)
  local mk = P..'m:'..id
  if upto > tonumber(redis.call('HGET', mk, 'out')) then return false end
  local ob = P..'ob:'..id
  local bytes = tonumber(redis.call('HGET', mk, 'bytes'))
  while true do
    local head = redis.call('LINDEX', ob, 0)
    if not head then break end
    local colon = string.find(head, ':', 1, true)
    local n = tonumber(string.sub(head, 1, colon - 1))
    if n > upto then break end
    redis.call('LPOP', ob)
    bytes = bytes - (#head - colon)
  end
  redis.call('HSET', mk, 'bytes', bytes)
  return true
end
local function lose(id)
  send(id, { lost = 1 })
  leave(id)
end
`;

/**
 * ARGV: P, room, id, proc, resumable ('1'|'0'), token, limitMs, maxFrames, maxBytes, graceMs, attachment id.
 * A second member leaves the first's outbox alone: a member away while its partner left and another joined is
 * still told `peer-left` at resume, between the old partner's frames and the newcomer's, as in one process.
 */
const JOIN = `
local room, id, proc, res, token = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local limit_ms, max_frames, max_bytes, grace_ms =
  tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local now = now_ms()
local fin = redis.call('GET', P..'fin:'..room)
if fin then return { 'finalized', fin } end
if limit_ms > 0 then
  local dl = redis.call('GET', P..'dl:'..room)
  if dl and now >= tonumber(dl) then
    local info = '{"reason":"max-duration","maxDurationMs":'..limit_ms..'}'
    finalize_room(room, info, limit_ms, grace_ms)
    return { 'finalized', info }
  end
end
local rk = P..'room:'..room
if redis.call('HLEN', rk) >= 2 then return { 'full' } end
redis.call('HSET', rk, id, '1')
redis.call('HSET', P..'m:'..id, 'room', room, 'proc', proc, 'res', res, 'in', 0, 'out', 0, 'bytes', 0,
  'token', token, 'ptoken', '', 'att', ARGV[11], 'mf', max_frames, 'mb', max_bytes)
redis.call('SADD', P..'pm:'..proc, id)
if res == '1' then redis.call('SET', P..'tok:'..token, id) end
local members = redis.call('HKEYS', rk)
local result = { 'ok', tostring(#members - 1) }
if #members == 2 then
  local other = members[1]
  if other == id then other = members[2] end
  send(other, { f = { '{"t":"peer-joined"}' }, p = 1 })
  local held = redis.call('LRANGE', P..'pend:'..room, 0, -1)
  redis.call('DEL', P..'pend:'..room, P..'pendb:'..room)
  for _, data in ipairs(held) do
    local frame = push_out(id, data, max_frames, max_bytes)
    if not frame then
      leave(id)
      return { 'lost' }
    end
    table.insert(result, frame)
  end
  if limit_ms > 0 then
    local dl = redis.call('GET', P..'dl:'..room)
    if not dl then
      dl = now + limit_ms
      redis.call('SET', P..'dl:'..room, dl, 'PX', 2 * limit_ms)
    end
    redis.call('ZADD', P..'limits', dl, room)
  end
end
return result
`;

/**
 * ARGV: P, room, token, received, proc, newToken, attachment id. Returns 'ok', id, peers, in, old proc, then the
 * frames to replay (a departure among them as its numbered `peer-left`).
 */
const RESUME = `
local room, token, received, proc, new_token = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local ftok = redis.call('GET', P..'ftok:'..token)
if ftok then
  redis.call('DEL', P..'ftok:'..token)
  return { 'finalized', ftok }
end
local id = redis.call('GET', P..'tok:'..token)
if not id then return { 'failed' } end
local mk = P..'m:'..id
if redis.call('HGET', mk, 'room') ~= room or redis.call('HGET', mk, 'res') ~= '1' then return { 'failed' } end
if not trim(id, received) then return { 'failed' } end
-- The client holds this token; the other one it was given is spent (the unconfirmed one it never got, or the
-- older one it has just proved it replaced). The new one stays unconfirmed until the client's first ack.
local current, pending = redis.call('HGET', mk, 'token'), redis.call('HGET', mk, 'ptoken')
local spent = pending
if token == pending then spent = current end
if spent and spent ~= '' then redis.call('DEL', P..'tok:'..spent) end
redis.call('HSET', mk, 'token', token)
local old = redis.call('HGET', mk, 'proc')
if old ~= '' and old ~= proc then send(id, { terminate = 1 }) end
if old ~= '' then redis.call('SREM', P..'pm:'..old, id) end
redis.call('HSET', mk, 'proc', proc, 'ptoken', new_token, 'att', ARGV[7])
redis.call('SADD', P..'pm:'..proc, id)
redis.call('ZREM', P..'graces', id)
redis.call('SET', P..'tok:'..new_token, id)
local result = { 'ok', id, tostring(redis.call('HLEN', P..'room:'..room) - 1), redis.call('HGET', mk, 'in'), old }
for _, entry in ipairs(redis.call('LRANGE', P..'ob:'..id, 0, -1)) do
  table.insert(result, string.sub(entry, string.find(entry, ':', 1, true) + 1))
end
return result
`;

/** ARGV: P, id, n ('' when not resumable), data (JSON), maxFrames, maxBytes, maxPendingFrames, maxPendingBytes. */
const FORWARD = `
local id, n, data = ARGV[2], ARGV[3], ARGV[4]
local max_frames, max_bytes, max_pf, max_pb = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local mk = P..'m:'..id
local room = redis.call('HGET', mk, 'room')
if not room then return { 'gone' } end
local inseq = 0
if redis.call('HGET', mk, 'res') == '1' then
  n = tonumber(n)
  inseq = tonumber(redis.call('HGET', mk, 'in'))
  if n <= inseq then return { 'dup', tostring(inseq) } end
  if n ~= inseq + 1 then return { 'gap', tostring(inseq) } end
  redis.call('HSET', mk, 'in', n)
  inseq = n
end
local other = nil
for _, m in ipairs(redis.call('HKEYS', P..'room:'..room)) do
  if m ~= id then other = m end
end
if not other then
  local pk = P..'pend:'..room
  local pb = tonumber(redis.call('GET', P..'pendb:'..room) or '0')
  local bytes = #data + 22
  if redis.call('LLEN', pk) >= max_pf or pb + bytes > max_pb then return { 'queue-full', tostring(inseq) } end
  redis.call('RPUSH', pk, data)
  redis.call('SET', P..'pendb:'..room, pb + bytes)
  return { 'ok', tostring(inseq) }
end
local frame, n2 = push_out(other, data, max_frames, max_bytes)
if not frame then
  lose(other)
  return { 'ok', tostring(inseq) }
end
send(other, { f = { frame }, n = n2 })
return { 'ok', tostring(inseq) }
`;

/** ARGV: P, id, n. */
const ACK = `
local id, n = ARGV[2], tonumber(ARGV[3])
local mk = P..'m:'..id
if redis.call('EXISTS', mk) == 0 then return 'gone' end
if redis.call('HGET', mk, 'res') ~= '1' then return 'gone' end
if not trim(id, n) then return 'bad' end
-- Acks come only after 'resumed' arrived: the client has the new token, the old one is spent.
local pending = redis.call('HGET', mk, 'ptoken')
if pending and pending ~= '' then
  redis.call('DEL', P..'tok:'..redis.call('HGET', mk, 'token'))
  redis.call('HSET', mk, 'token', pending, 'ptoken', '')
end
return 'ok'
`;

/** ARGV: P, id, proc, attachment id (one per join or resume), final ('1'|'0'), graceMs. */
const DETACH = `
local id, proc, att, final, grace = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local mk = P..'m:'..id
local current = redis.call('HGET', mk, 'proc')
-- Another process (or a newer socket here) holds the member now: this departure is stale.
if not current or current ~= proc or redis.call('HGET', mk, 'att') ~= att then return 0 end
if final == '1' or redis.call('HGET', mk, 'res') ~= '1' or grace == 0 then
  leave(id)
  return 1
end
redis.call('SREM', P..'pm:'..proc, id)
redis.call('HSET', mk, 'proc', '')
redis.call('ZADD', P..'graces', now_ms() + grace, id)
return 2
`;

/** ARGV: P, graceMs, limitMs. Ends expired graces and calls, and hands a dead process's members to their grace. */
const REAP = `
local grace, limit_ms = tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P..'graces', '-inf', now, 'LIMIT', 0, 200)) do
  leave(id)
end
if limit_ms > 0 then
  local info = '{"reason":"max-duration","maxDurationMs":'..limit_ms..'}'
  for _, room in ipairs(redis.call('ZRANGEBYSCORE', P..'limits', '-inf', now, 'LIMIT', 0, 200)) do
    finalize_room(room, info, limit_ms, grace)
  end
end
for _, proc in ipairs(redis.call('ZRANGE', P..'procs', 0, -1)) do
  if redis.call('EXISTS', P..'proc:'..proc) == 0 then
    for _, id in ipairs(redis.call('SMEMBERS', P..'pm:'..proc)) do
      local mk = P..'m:'..id
      redis.call('HSET', mk, 'proc', '')
      if redis.call('HGET', mk, 'res') == '1' and grace > 0 then
        redis.call('ZADD', P..'graces', now + grace, id)
      else
        leave(id)
      end
    end
    redis.call('DEL', P..'pm:'..proc)
    redis.call('ZREM', P..'procs', proc)
  end
end
return 1
`;

/** ARGV: P, room, info (JSON or ''), rememberMs, graceMs. */
const FINALIZE = `
local room, info = ARGV[2], ARGV[3]
if redis.call('HLEN', P..'room:'..room) == 0 then return 0 end
finalize_room(room, info, tonumber(ARGV[4]), tonumber(ARGV[5]))
return 1
`;

/** ARGV: P, proc, ttlMs. Returns whether the presence key still existed (0: this process was taken for dead). */
const HEARTBEAT = `
local existed = redis.call('EXISTS', P..'proc:'..ARGV[2])
redis.call('SET', P..'proc:'..ARGV[2], '1', 'PX', tonumber(ARGV[3]))
redis.call('ZADD', P..'procs', 0, ARGV[2])
return existed
`;

/** The scripts by name, each with the shared prelude. */
export const CLUSTER_SCRIPTS = {
  join: PRELUDE + JOIN,
  resume: PRELUDE + RESUME,
  forward: PRELUDE + FORWARD,
  ack: PRELUDE + ACK,
  detach: PRELUDE + DETACH,
  reap: PRELUDE + REAP,
  finalize: PRELUDE + FINALIZE,
  heartbeat: PRELUDE + HEARTBEAT,
} as const;

/** A script name. */
export type ClusterScript = keyof typeof CLUSTER_SCRIPTS;
