import { auditEventTypes, type AuditEvent } from '../../../core/model.js';
import { type Item, ItemReader } from '../item-reader.js';
import { auditPrefix, keys } from '../keys.js';

export function auditItem(event: AuditEvent): Item {
  return {
    ...keys.auditEvent(event),
    eventId: event.id,
    appId: event.appId,
    at: event.at,
    type: event.type,
    actorId: event.actorId,
    ...(event.targetUserId === null ? {} : { targetUserId: event.targetUserId }),
    ...(event.detail ? { detail: event.detail } : {}),
  };
}

/** The audit event an audit item holds, sharded or not (`null` for any other item), for listings and the table's stream. */
export function auditEventOf(item: Item | undefined): AuditEvent | null {
  if (!item || typeof item.pk !== 'string' || !item.pk.startsWith(auditPrefix)) return null;
  const read = new ItemReader(item, 'audit event');
  const detail = read.scalars('detail');
  return {
    id: read.string('eventId'),
    appId: read.string('appId'),
    at: read.string('at'),
    type: read.oneOf('type', auditEventTypes),
    actorId: read.string('actorId'),
    targetUserId: read.stringOr('targetUserId', null),
    ...(detail ? { detail } : {}),
  };
}
