/**
 * The single table's shape, as plain data shared by the data stack (CDK), the local stack (DynamoDB
 * Local) and the DynamoDB adapter, so the three cannot drift.
 */
export const tableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items lazily, so reads also treat them as absent. */
  timeToLiveAttribute: 'expiresAt',
  /**
   * The stream carries each new item's image to the event publisher, which turns audit entries into
   * security events; new images are enough (nothing reads the old ones).
   */
  streamView: 'NEW_IMAGE',
  /**
   * An app's audit trail is spread over write shards, so no one partition key takes all of a large app's
   * entries (DynamoDB allows one key about 1,000 write units a second). Lockouts, which anyone can cause
   * with wrong passwords, have shards of their own: however many an attacker causes, they never share a
   * key with the app's enrollments, resets and admin changes. See docs/capacity.md for the arithmetic.
   */
  auditShards: { activity: 8, lockouts: 4 },
  /**
   * The partition-key prefix of the notifier's records of emails sent: its role may put items whose key
   * starts with it, and write nothing else.
   */
  notificationKeyPrefix: 'NOTIFY#',
  /** The sparse index that lists an app's users; only user profiles carry its keys. */
  usersIndex: {
    name: 'gsi1',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    /** An app's users are spread over this many index partitions, by a hash of the user id. */
    shards: 8,
    /**
     * INCLUDE, not ALL: writes to attributes the users table never shows (password hash, failure
     * counts, the last accepted step) are not replicated to the index, and a query on it reads less.
     */
    projectedAttributes: ['userId', 'appId', 'email', 'role', 'createdAt', 'twoFactorEnabled'],
  },
} as const;
