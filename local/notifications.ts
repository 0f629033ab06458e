/**
 * The local stand-in for the tenants' incident-notification topics: `GET /_local/notifications` lists what was
 * delivered, newest last, each with the tenant it went to. With a data directory it survives restarts, like the
 * SMS outbox.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  notificationView,
  type IncidentNotifier,
  type NotificationRecord,
} from '../lambdas/domain/incidents';

export type LocalNotification = ReturnType<typeof notificationView> & {
  readonly tenantId: string;
  readonly deliveredAt: string;
};

export class LocalNotificationOutbox implements IncidentNotifier {
  private readonly delivered: LocalNotification[];
  private readonly file: string | undefined;

  constructor(
    private readonly clock: () => Date,
    dataDir?: string,
  ) {
    this.file = dataDir && join(dataDir, 'notifications.json');
    this.delivered =
      this.file && existsSync(this.file)
        ? (JSON.parse(readFileSync(this.file, 'utf8')) as LocalNotification[])
        : [];
  }

  notify(notification: NotificationRecord): Promise<void> {
    this.delivered.push({
      tenantId: notification.tenantId,
      ...notificationView(notification),
      deliveredAt: this.clock().toISOString(),
    });
    if (this.file) writeFileSync(this.file, JSON.stringify(this.delivered, null, 2));
    return Promise.resolve();
  }

  entries(): LocalNotification[] {
    return [...this.delivered];
  }
}
