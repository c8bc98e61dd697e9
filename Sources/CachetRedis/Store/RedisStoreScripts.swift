/// The Lua scripts of the shared tier. A script runs atomically (Redis docs, "Scripting with
/// Lua": no other command runs meanwhile), which is how a publication appears all at once
/// and how a freshening or a removal never races another node's.
///
/// Every key a script touches carries its primary key's hash tag, so they are in one slot
/// on one Cluster node. Version hashes are named from pointer values inside the scripts (the
/// pointer says which version to delete), rather than passed as `KEYS`: they cannot be known
/// before the script reads the pointer, and being in the declared keys' slot they are local to
/// the node (Redis 7 runs scripts without flags in this compatible mode).
enum RedisStoreScripts {
    /// Flips a variant to a version whose header block and chunks are all written.
    /// KEYS: pointer, new version. ARGV: variant id, pointer value, lifetime in ms, version
    /// prefix. Returns 1, or 0 when the new version is gone already (its lifetime ran out
    /// while it was written) and nothing changed.
    ///
    /// The pointer lives as long as its longest-lived variant: its TTL is raised, never
    /// lowered (`PEXPIRE ... GT` would leave a pointer just created without one). The
    /// replaced version is deleted at once; a reader in the middle of reading it finds a chunk
    /// missing, sees that the pointer moved, and reads the new one.
    static let publish = RedisScript(
        #"""
        if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
        if old then
          local version = ARGV[4] .. string.match(old, '^[^\n]*')
          if version ~= KEYS[2] then redis.call('DEL', version) end
        end
        return 1
        """#)

    /// Replaces a version's header block, if the variant still points to that version with
    /// the identity read. KEYS: pointer, version. ARGV: variant id, pointer value read, new
    /// pointer value, new header block, lifetime in ms. Returns 1, or 0 when nothing changed.
    static let freshen = RedisScript(
        #"""
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
        if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
        redis.call('HSET', KEYS[2], 'h', ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
        return 1
        """#)

    /// Removes the variants of a key, all of them or those whose pointer value names one of
    /// the tags. KEYS: pointer. ARGV: version prefix, "1" to filter by tags or "0", the tags.
    /// Returns how many versions went (a variant whose version had expired is unlinked but
    /// not counted).
    static let remove = RedisScript(
        #"""
        local filter = ARGV[2] == '1'
        local wanted = {}
        for i = 3, #ARGV do wanted[ARGV[i]] = true end
        local fields = redis.call('HGETALL', KEYS[1])
        local removed = 0
        for i = 1, #fields, 2 do
          local line = 0
          local version = nil
          local matches = not filter
          for part in string.gmatch(fields[i + 1], '[^\n]+') do
            line = line + 1
            if line == 1 then version = part elseif line > 2 and wanted[part] then matches = true end
          end
          if matches then
            redis.call('HDEL', KEYS[1], fields[i])
            if version then removed = removed + redis.call('DEL', ARGV[1] .. version) end
          end
        end
        return removed
        """#)

    /// Unlinks a variant found invalid, if the pointer still names the version read, and
    /// deletes that version. KEYS: pointer, version. ARGV: variant id, pointer value read.
    static let drop = RedisScript(
        #"""
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('DEL', KEYS[2])
        return 1
        """#)

    /// Claims the fill of a key: 2 when a variant is stored (a pointer naming a version that
    /// still exists), else 1 when the lease was taken (`SET NX PX`, Redis docs "Distributed
    /// locks with Redis", single-instance form), else 0 (another node holds it). KEYS:
    /// pointer, fill lock. ARGV: token, lease in ms, version prefix.
    static let claimFill = RedisScript(
        #"""
        for _, value in ipairs(redis.call('HVALS', KEYS[1])) do
          local version = string.match(value, '^[^\n]+')
          if version and redis.call('EXISTS', ARGV[3] .. version) == 1 then return 2 end
        end
        if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        return 0
        """#)

    /// Ends a fill: deletes the lease if it holds the token, and tells every node. Does
    /// nothing while another node holds the lease (this one's ran out and was taken); when no
    /// one holds it (it ran out), the fill did end, so the nodes are told. KEYS: fill lock.
    /// ARGV: token, channel, message. Returns 1 when it published.
    static let releaseFill = RedisScript(
        #"""
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
          redis.call('DEL', KEYS[1])
        elseif holder then
          return 0
        end
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """#)
}
