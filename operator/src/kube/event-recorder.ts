/**
 * Records Normal/Warning events on a MyRAGDB (core/v1 Events, what `kubectl describe` shows). A repeat of the same
 * event bumps its count instead of creating a new object, as client-go's correlator does.
 */
import { randomBytes } from 'node:crypto';
import { FIELD_MANAGER } from '../api/v1alpha1/group.js';
import { ContentType, isStatus, type KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import { formatTime } from './micro-time.js';
import { Resources, resourcePath } from './resources.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
}

interface SeenEvent {
  name: string;
  count: number;
}

const MAX_REMEMBERED = 4096;

export class EventRecorder implements EventSink {
  private readonly seen = new Map<string, SeenEvent>();

  constructor(
    private readonly client: KubeClient,
    private readonly instance: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = object.metadata.namespace ?? 'default';
    const key = [object.metadata.uid, type, reason, message].join('\u0000');
    const timestamp = formatTime(this.now());
    const previous = this.seen.get(key);
    if (previous) {
      try {
        await this.client.request({
          method: 'PATCH',
          path: resourcePath(Resources.Event, namespace, previous.name),
          body: { count: previous.count + 1, lastTimestamp: timestamp },
          contentType: ContentType.mergePatch,
        });
        previous.count += 1;
        return;
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        this.seen.delete(key);
      }
    }
    const name = `${object.metadata.name}.${randomBytes(8).toString('hex')}`;
    await this.client.request({
      method: 'POST',
      path: resourcePath(Resources.Event, namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        count: 1,
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        source: { component: FIELD_MANAGER },
        reportingComponent: FIELD_MANAGER,
        reportingInstance: this.instance,
      },
    });
    if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, count: 1 });
  }
}
